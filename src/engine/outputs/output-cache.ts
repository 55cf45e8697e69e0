/**
 * @module Whole-build reuse: when every layer of a build came from the cache and an earlier build
 * of exactly that stack (same parent, layers, kind and template) wrote outputs and passed its
 * tests, its files are copied (each checked against its digest) into the new output directory
 * instead of being made again. Files live in the cache's blob store; OCI blobs, the OCI archive and
 * disk images are shared with the build's output directory by hard link (disk images by reflink where
 * the file system has them; Ingot never rewrites them in place; a change made through an output moves
 * the blob's fingerprint and is found by the full hash on the next reuse); restored disk images keep
 * their holes; per-build files (the log, manifest, checksums) are not cached. The newest
 * records are kept (older ones are removed with their blobs unless another record uses them).
 *
 * A blob is hashed when it is stored and again on its first reuse; each time the record keeps the
 * blob's stat fingerprint (inode, size, mtime and ctime in nanoseconds). A later reuse whose blob still
 * has that fingerprint was not written since it was hashed (any write moves ctime, which no user can
 * set back), so it is copied in the kernel (copy_file_range) without reading it again, as git's
 * index trusts unchanged stat data. A changed fingerprint means a full hash before the copy.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { dirname, join, relative } from 'node:path';
import type { LayerCache } from '../../cache/layer-cache.ts';
import { copySparse } from '../../cache/copy-sparse.ts';
import { writeFileAtomic } from '../../files/write-atomic.ts';
import { HashTap } from '../../oci/digest.ts';
import type { OutputManifest } from '../../artifacts/manifest.ts';

const KEEP_RECORDS = 10;
const OCI_ARCHIVE = 'image.oci.tar';

interface OutputRecord {
  createdAt: string;
  /** `checked`: the blob's stat fingerprint when it was last hashed (absent: hash it on reuse). */
  files: { path: string; digest: string; checked?: string }[];
  manifest: OutputManifest;
}

export function outputKey(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const p of parts)
    hash
      .update(`${Buffer.byteLength(p)}:`)
      .update(p)
      .update('|');
  return hash.digest('hex');
}

const recordsDir = (cache: LayerCache) => join(cache.root, 'outputs');

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

/** Files made afresh by every build (its log, manifest and checksums): never cached, never restored. */
export function isPerBuildFile(rel: string): boolean {
  return (
    rel === 'manifest.json' ||
    rel === 'build.log' ||
    rel.startsWith('logs/') ||
    rel.startsWith('SHA256SUMS') ||
    (!rel.includes('/') && rel.endsWith('.log'))
  );
}

/** Inode, size, mtime and ctime (ns) of a file: any write changes it; undefined when it is gone. */
async function fingerprint(file: string): Promise<string | undefined> {
  const st = await stat(file, { bigint: true }).catch(() => undefined);
  return st ? `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : undefined;
}

/** Disk images among a build's artifacts (`disk-<format>`, `volume-<name>-<format>`): large, often sparse. */
export function diskArtifactPaths(manifest: OutputManifest): Set<string> {
  return new Set(manifest.artifacts.filter((a) => /^(disk|volume)-/.test(a.format)).map((a) => a.path));
}

/**
 * Copies a blob whose fingerprint shows it unchanged since it was hashed (in the kernel, no read;
 * a disk image as a reflink or keeping its holes).
 */
async function copyUnchanged(from: string, to: string, disk: boolean): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const tmp = `${to}.restore-${process.pid}`;
  try {
    await (disk ? copySparse(from, tmp) : copyFile(from, tmp));
    await rename(tmp, to);
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Copies a cached blob to `to` while checking its digest (a partial copy never appears under the
 * name); false when the blob no longer has the bytes its digest names. A copy, not a link: the
 * build may change its own outputs without ever touching the cache.
 */
async function copyVerified(from: string, digest: string, to: string): Promise<boolean> {
  await mkdir(dirname(to), { recursive: true });
  const tmp = `${to}.restore-${process.pid}`;
  const tap = new HashTap();
  try {
    await pipeline(createReadStream(from), tap, createWriteStream(tmp));
    if (tap.digest() !== digest) return false;
    await rename(tmp, to);
    return true;
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Copies a recorded build's files into `outputDir`, each checked against its digest; undefined
 * when there is no usable record. A record with a damaged blob is dropped (with that blob) and the
 * files already copied are removed, so the build makes everything afresh.
 */
export async function restoreOutputs(
  cache: LayerCache,
  key: string,
  outputDir: string,
): Promise<OutputManifest | undefined> {
  const recordFile = join(recordsDir(cache), `${key}.json`);
  const record = await readRecord(recordFile);
  if (!record) return undefined;
  const files = record.files.filter((f) => !isPerBuildFile(f.path));
  for (const f of files) if (!(await cache.blobs.has(f.digest))) return undefined;
  const placed: string[] = [];
  const disks = diskArtifactPaths(record.manifest);
  let rechecked = false;
  for (const f of files) {
    const to = join(outputDir, f.path);
    const from = cache.blobs.path(f.digest);
    const before = await fingerprint(from);
    if (before !== undefined && before === f.checked) {
      await copyUnchanged(from, to, disks.has(f.path));
    } else if (await copyVerified(from, f.digest, to)) {
      const after = await fingerprint(from);
      if (after === before) {
        f.checked = after;
        rechecked = true;
      }
    } else {
      for (const p of placed) await rm(p, { force: true });
      await cache.blobs.delete(f.digest);
      await rm(recordFile, { force: true });
      return undefined;
    }
    placed.push(to);
  }
  if (rechecked) await writeFileAtomic(recordFile, JSON.stringify(record));
  return record.manifest;
}

/**
 * Records the files of a finished build (everything but its per-build files). OCI blobs are
 * hard-linked into the blob store (as the layout shares them already), and so is the OCI archive;
 * other artifacts, hashed as the build wrote them, are copied in the kernel; other files are copied
 * while hashing; a blob already there is re-used.
 */
export async function saveOutputs(
  cache: LayerCache,
  key: string,
  outputDir: string,
  manifest: OutputManifest,
): Promise<void> {
  const known = new Map(manifest.artifacts.map((a) => [a.path, `sha256:${a.sha256}`]));
  const disks = diskArtifactPaths(manifest);
  const files: OutputRecord['files'] = [];
  for (const file of await filesUnder(outputDir)) {
    const rel = relative(outputDir, file);
    // The log, manifest.json and the checksum signature are made afresh for every build.
    if (isPerBuildFile(rel)) continue;
    const digest = known.get(rel) ?? ociBlobDigest(rel);
    if (digest && (await cache.blobs.has(digest))) {
      files.push({ path: rel, digest });
      continue;
    }
    // An OCI blob is immutable and named by its digest, and the layout already shares it by hard
    // link with the base's or the layer cache's blob: linked into the store too, not copied. So is
    // the OCI archive (hashed as it was written; no-op rebuilds link it out again, noop-record.ts).
    const blobDigest = ociBlobDigest(rel) ?? (rel === OCI_ARCHIVE ? known.get(rel) : undefined);
    if (blobDigest) {
      const linked = await cache.blobs.linkFile(file, blobDigest as `sha256:${string}`);
      files.push({ path: rel, digest: linked.digest });
      continue;
    }
    // Other files are copied (and checked) into the store: the output directory's file stays the build's own.
    // A disk image (gigabytes; hashed as this build wrote it) is shared, not copied: a reflink, else a
    // hard link (nothing in Ingot writes a published disk: qemu boots it from an overlay, the next
    // build into this directory writes new files). A write made through the output later moves the
    // blob's fingerprint: the next reuse hashes it, finds the change and drops the record.
    // Another artifact (hashed as this build wrote it) is copied in the kernel, so the output's file stays
    // the build's own. Anything else is hashed while it is stored. Its fingerprint now vouches for its bytes.
    const artifactDigest = known.get(rel) as `sha256:${string}` | undefined;
    const stored = artifactDigest
      ? disks.has(rel)
        ? await cache.blobs.shareKnown(file, artifactDigest)
        : await cache.blobs.copyKnown(file, artifactDigest)
      : await cache.blobs.putFile(file, digest ? { expectedDigest: digest as `sha256:${string}` } : {});
    files.push({ path: rel, digest: stored.digest, checked: await fingerprint(stored.path) });
  }
  await mkdir(recordsDir(cache), { recursive: true });
  const record: OutputRecord = { createdAt: new Date().toISOString(), files, manifest };
  // Whole or absent for any reader, and after a crash (a torn record would be read as none).
  await writeFileAtomic(join(recordsDir(cache), `${key}.json`), JSON.stringify(record));
  await pruneRecords(cache);
}

/** `oci/blobs/sha256/<hex>` is named by its own digest (the layout writer checked it). */
function ociBlobDigest(rel: string): string | undefined {
  const m = /(?:^|\/)blobs\/sha256\/([a-f0-9]{64})$/.exec(rel);
  return m ? `sha256:${m[1]}` : undefined;
}

/**
 * Keeps the newest records while they fit: at most KEEP_RECORDS, and their artifacts (disk images can
 * be gigabytes each) within what the cache limit leaves beside the layers (INGOT_CACHE_MAX_GIB holds
 * both); the newest record is always kept. The others go, with the blobs no kept record uses.
 */
async function pruneRecords(cache: LayerCache): Promise<void> {
  const dir = recordsDir(cache);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  const dated = await Promise.all(
    names.map(async (n) => ({ n, t: (await stat(join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  dated.sort((a, b) => b.t - a.t);
  const budget = Math.max(0, cache.maxBytes - cache.totalBytes());
  const used = new Set<string>();
  const dropped: OutputRecord[] = [];
  let bytes = 0;
  for (const [i, { n }] of dated.entries()) {
    const record = await readRecord(join(dir, n));
    if (!record) continue;
    // OCI blobs are the layer cache's own blobs (counted with the layers): only artifacts count here.
    const own = record.files.filter((f) => !ociBlobDigest(f.path) && !used.has(f.digest));
    const size = (
      await Promise.all(
        own.map((f) =>
          stat(cache.blobs.path(f.digest)).then(
            (st) => st.size,
            () => 0,
          ),
        ),
      )
    ).reduce((a, b) => a + b, 0);
    if (i === 0 || (i < KEEP_RECORDS && bytes + size <= budget)) {
      bytes += size;
      for (const f of record.files) used.add(f.digest);
    } else {
      dropped.push(record);
      await rm(join(dir, n), { force: true });
    }
  }
  for (const record of dropped)
    for (const f of record.files)
      if (!used.has(f.digest) && !ociBlobDigest(f.path)) await cache.blobs.discard(f.digest);
}

async function readRecord(file: string): Promise<OutputRecord | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  try {
    return text ? (JSON.parse(text) as OutputRecord) : undefined;
  } catch {
    return undefined;
  }
}
