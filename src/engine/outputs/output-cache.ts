/**
 * @module Whole-build reuse: when every layer of a build came from the cache and an earlier build
 * of exactly that stack (same parent, layers, kind and template) wrote outputs and passed its
 * tests, its files are linked into the new output directory instead of being made again. Files
 * live in the cache's blob store; the newest records are kept (older ones are removed with their
 * blobs unless another record uses them).
 */
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { LayerCache } from '../../cache/layer-cache.ts';
import type { OutputManifest } from '../../artifacts/manifest.ts';

const KEEP_RECORDS = 10;

interface OutputRecord {
  createdAt: string;
  files: { path: string; digest: string }[];
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

async function placeFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await rm(to, { force: true });
  await link(from, to).catch(() => copyFile(from, to));
}

/** Links a recorded build's files into `outputDir`; undefined when there is no usable record. */
export async function restoreOutputs(
  cache: LayerCache,
  key: string,
  outputDir: string,
): Promise<OutputManifest | undefined> {
  const text = await readFile(join(recordsDir(cache), `${key}.json`), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const record = JSON.parse(text) as OutputRecord;
  for (const f of record.files) if (!(await cache.blobs.has(f.digest))) return undefined;
  for (const f of record.files) await placeFile(cache.blobs.path(f.digest), join(outputDir, f.path));
  return record.manifest;
}

/**
 * Records the files of a finished build (everything but logs/ and manifest.json). Files whose
 * digest is known (artifacts listed in the manifest, OCI blobs named by their digest) are
 * hard-linked into the blob store; the rest are copied while hashing.
 */
export async function saveOutputs(
  cache: LayerCache,
  key: string,
  outputDir: string,
  manifest: OutputManifest,
): Promise<void> {
  const known = new Map(manifest.artifacts.map((a) => [a.path, `sha256:${a.sha256}`]));
  const files: OutputRecord['files'] = [];
  for (const file of await filesUnder(outputDir)) {
    const rel = relative(outputDir, file);
    // manifest.json and the checksum signature are made afresh for every build.
    if (rel === 'manifest.json' || rel.startsWith('logs/') || rel.startsWith('SHA256SUMS')) continue;
    const digest = known.get(rel) ?? ociBlobDigest(rel);
    const blob = digest
      ? await cache.blobs.linkFile(file, digest as `sha256:${string}`)
      : await cache.blobs.putFile(file);
    files.push({ path: rel, digest: blob.digest });
  }
  await mkdir(recordsDir(cache), { recursive: true });
  const record: OutputRecord = { createdAt: new Date().toISOString(), files, manifest };
  await writeFile(join(recordsDir(cache), `${key}.json`), JSON.stringify(record));
  await pruneRecords(cache);
}

/** `oci/blobs/sha256/<hex>` is named by its own digest (the layout writer checked it). */
function ociBlobDigest(rel: string): string | undefined {
  const m = /(?:^|\/)blobs\/sha256\/([a-f0-9]{64})$/.exec(rel);
  return m ? `sha256:${m[1]}` : undefined;
}

async function pruneRecords(cache: LayerCache): Promise<void> {
  const dir = recordsDir(cache);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  if (names.length <= KEEP_RECORDS) return;
  const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir, n))).mtimeMs })));
  dated.sort((a, b) => b.t - a.t);
  const keep = dated.slice(0, KEEP_RECORDS);
  const used = new Set<string>();
  for (const { n } of keep)
    for (const f of (JSON.parse(await readFile(join(dir, n), 'utf8')) as OutputRecord).files) used.add(f.digest);
  for (const { n } of dated.slice(KEEP_RECORDS)) {
    const record = JSON.parse(await readFile(join(dir, n), 'utf8')) as OutputRecord;
    // OCI blobs may be the layer cache's own layer blobs: only artifacts are removed here.
    for (const f of record.files) if (!used.has(f.digest) && !ociBlobDigest(f.path)) await cache.blobs.delete(f.digest);
    await rm(join(dir, n), { force: true });
  }
}
