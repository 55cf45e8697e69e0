/**
 * @module The no-op record of `ingot build`: what a finished local build depended on (the recipe
 * and component files, the managed base `current` pointed at, the cached layers) and the cached
 * output files it made, keyed by the command's request (recipe path, flags, settings, Ingot's
 * version and, in a git checkout, its commit). Loaded before the engine, so an unchanged rebuild costs a few stat calls and hard
 * links instead of Node loading the whole build pipeline (see noop-build.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputManifest } from '../../artifacts/manifest.ts';

export interface NoopRecord {
  v: 1;
  /** Every file the recipe loader looked at: its sha256 (null: it was absent) and stat fingerprint. */
  inputs: { path: string; sha256: string | null; fp?: string }[];
  /** The managed base: `current` link, what it pointed at, its metadata's fingerprint, fresh until (ms). */
  base: { link: string; target: string; meta: string; metaFp: string; freshUntil: number };
  /** The build's layer directories (cached layers and the base tree): all must still exist. */
  layerDirs: string[];
  /** The layer cache's output record the files come from (output-cache.ts). */
  outputRecord: string;
  /** Output files: the cache blob each is placed from and that blob's fingerprint when it was checked. */
  files: { path: string; blob: string; fp: string; link: boolean }[];
  manifest: OutputManifest;
}

export const recordPath = (cacheRoot: string, key: string): string => join(cacheRoot, 'noop', `${key}.json`);

const ROOT = join(import.meta.dirname, '../../..');

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/**
 * The commit a git checkout of Ingot runs (`undefined` for an installed package): two builds of the
 * same version from different commits must not share no-op records. A few small file reads.
 */
export function checkoutCommit(root: string): string | undefined {
  const dotGit = read(join(root, '.git')); // a worktree's `.git` file: `gitdir: PATH`
  const gitDir = dotGit?.startsWith('gitdir: ') ? dotGit.slice(8) : join(root, '.git');
  const head = read(join(gitDir, 'HEAD'));
  if (!head?.startsWith('ref: ')) return head;
  const ref = head.slice(5);
  const common = read(join(gitDir, 'commondir'));
  const commonDir = common ? join(gitDir, common) : gitDir;
  const packed = read(join(commonDir, 'packed-refs'))
    ?.split('\n')
    .find((l) => l.endsWith(` ${ref}`))
    ?.split(' ')[0];
  return read(join(gitDir, ref)) ?? read(join(commonDir, ref)) ?? packed ?? head;
}

/** Ingot's version, and in a git checkout the commit it runs. */
const INGOT_CODE: string = (() => {
  const pkg = JSON.parse(read(join(ROOT, 'package.json')) ?? '{}') as { version?: string };
  return `${pkg.version ?? ''}@${checkoutCommit(ROOT) ?? ''}`;
})();

/** The request's key: Ingot's version (and commit), and everything the command was given (paths resolved), output dir aside. */
export function requestKey(parts: readonly unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify(['ingot-noop-1', INGOT_CODE, process.getuid?.() ?? -1, ...parts]))
    .digest('hex');
}

/** A user's file: inode, size, mtime and ctime (ns); any write changes it. */
export async function fileFingerprint(path: string): Promise<string | undefined> {
  const st = await stat(path, { bigint: true }).catch(() => undefined);
  return st ? `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : undefined;
}

/**
 * A cached blob: inode, size and mtime (ns). Not ctime: the blob is hard-linked into output
 * directories, and every link and unlink moves ctime. A write through any link moves mtime.
 */
export async function blobFingerprint(path: string): Promise<string | undefined> {
  const st = await stat(path, { bigint: true }).catch(() => undefined);
  return st?.isFile() ? `${st.ino}:${st.size}:${st.mtimeNs}` : undefined;
}

export const sha256Text = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * OCI blobs (named by their digest), the OCI archive and disk images are never rewritten in place by
 * Ingot (its writers use a temp name and rename, or unlink the old output first), so a no-op rebuild
 * places them as hard links to the cache's blobs, as a build already links its layer blobs into the
 * layout and its disks into the cache: instant, where copying the archive, the base layer (hundreds
 * of MB) or a disk image (GBs) costs seconds of disk writes. A change made in place through an
 * output's link moves the blob's mtime, so the next build sees it and rebuilds. Other files (SBOMs,
 * index.json) are copied. `manifest`: the record's, naming which files are disk images.
 */
export const placedByLink = (rel: string, manifest?: OutputManifest): boolean =>
  rel === 'image.oci.tar' ||
  /(?:^|\/)blobs\/sha256\/[a-f0-9]{64}$/.test(rel) ||
  !!manifest?.artifacts.some((a) => a.path === rel && /^(disk|volume)-/.test(a.format));
