/** @module Extracts an OCI layer or rootfs tarball (plain, gzip, zstd, xz, bzip2) onto a directory: whiteouts honoured, escapes refused. */
import { createWriteStream } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, readdir, rm, symlink, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { readTar } from '../tar/tar-reader.ts';
import type { TarHeader } from '../tar/tar-header.ts';
import { openDecompressed } from './compression.ts';
import { makeDevice, makeFifo, setXattrs, type XattrWrite } from './node-ops.ts';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from './overlay-entries.ts';
import { entryComponents, resolveInRoot } from './safe-path.ts';

export interface ApplyLayerResult {
  entries: number;
  whiteouts: number;
  /** Entries whose xattrs could not be set because `setfattr` (package attr) is not installed. */
  xattrsSkipped: number;
}

export interface ApplyLayerOptions {
  /** Keep the archive's numeric owners (default: true when running as root). */
  sameOwner?: boolean;
}

/** Applies `layerFile` on top of the tree at `targetDir` (which must exist). */
export async function applyLayer(layerFile: string, targetDir: string, opts: ApplyLayerOptions = {}): Promise<ApplyLayerResult> {
  const sameOwner = opts.sameOwner ?? process.getuid?.() === 0;
  const source = await openDecompressed(layerFile);
  const created = new Set<string>();
  const dirTimes: Array<[string, number]> = [];
  const xattrs: XattrWrite[] = [];
  const result: ApplyLayerResult = { entries: 0, whiteouts: 0, xattrsSkipped: 0 };
  for await (const { header, body } of readTar(source)) {
    if (header.path === '') continue; // the archive's own root ("./" in rootfs tarballs)
    const parts = entryComponents(header.path);
    const name = parts[parts.length - 1]!;
    const parent = await resolveInRoot(targetDir, parts.slice(0, -1), true);
    if (name === OPAQUE_WHITEOUT || name.startsWith(WHITEOUT_PREFIX)) {
      result.whiteouts++;
      if (name === OPAQUE_WHITEOUT) await clearDirectory(parent, created);
      else await rm(join(parent, name.slice(WHITEOUT_PREFIX.length)), { recursive: true, force: true });
      continue;
    }
    await mkdir(parent, { recursive: true });
    const path = join(parent, name);
    await makeEntry(path, header, body, targetDir);
    created.add(path);
    result.entries++;
    if (header.type !== 'hardlink') await setMetadata(path, header, sameOwner);
    if (header.type === 'directory') dirTimes.push([path, header.mtime]);
    if (header.xattrs.size > 0 && header.type !== 'hardlink') xattrs.push({ path, xattrs: header.xattrs });
  }
  if (!(await setXattrs(xattrs))) result.xattrsSkipped = xattrs.length;
  for (const [dir, mtime] of dirTimes.reverse()) await utimes(dir, mtime, mtime);
  return result;
}

/** Opaque whiteout: everything below `dir` from lower layers goes; what this layer already put there stays. */
async function clearDirectory(dir: string, keep: ReadonlySet<string>): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!keep.has(join(dir, name))) await rm(join(dir, name), { recursive: true, force: true });
  }
}

async function makeEntry(path: string, h: TarHeader, body: AsyncIterable<Buffer>, root: string): Promise<void> {
  const existing = await lstat(path).catch(() => null);
  if (existing && !(existing.isDirectory() && h.type === 'directory')) await rm(path, { recursive: true, force: true });
  switch (h.type) {
    case 'directory': return void (await mkdir(path, { recursive: true }));
    case 'file': return pipeline(body, createWriteStream(path, { mode: 0o600 }));
    case 'symlink': return symlink(h.linkpath, path);
    case 'hardlink': {
      const parts = entryComponents(h.linkpath);
      const target = join(await resolveInRoot(root, parts.slice(0, -1), true), parts[parts.length - 1]!);
      if (dirname(target) === dirname(path) && basename(target) === basename(path)) return;
      return link(target, path);
    }
    case 'char':
    case 'block': return makeDevice(path, h.type, h.devmajor, h.devminor);
    case 'fifo': return makeFifo(path);
  }
}

async function setMetadata(path: string, h: TarHeader, sameOwner: boolean): Promise<void> {
  if (sameOwner) await lchown(path, h.uid, h.gid);
  if (h.type === 'symlink') return lutimes(path, h.mtime, h.mtime);
  await chmod(path, h.mode);
  await utimes(path, h.mtime, h.mtime);
}
