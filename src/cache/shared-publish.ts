/**
 * @module After a layer is built here: its blobs go to the shared bucket (each skipped when a HEAD
 * finds it there already, as blobs are named by digest), then the index object naming them (so a
 * reader never finds an index whose blobs are not all there yet).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeLayer } from '../oci/layer/write-layer.ts';
import { uploadFile, type S3Bucket } from '../s3/index.ts';
import { blobObjectKey, indexObjectKey, type SharedIndexObject } from './shared-objects.ts';
import type { LayerCache } from './types.ts';

export interface PublishInput {
  bucket: S3Bucket;
  prefix: string;
  cache: LayerCache;
  key: string;
  scope: string | undefined;
  signal: AbortSignal;
  /** Blobs the fetch of this key found missing or damaged: uploaded even when a HEAD finds them, and the index object written again. */
  badBlobs: ReadonlySet<string>;
}

/** Uploads a blob unless the bucket has it (a bad one is replaced); true when it replaced a bad one. */
async function uploadBlob(i: PublishInput, digest: string, path: string): Promise<boolean> {
  const objectKey = blobObjectKey(i.prefix, digest);
  const bad = i.badBlobs.has(digest);
  if (!bad && (await i.bucket.exists(objectKey, { signal: i.signal }))) return false;
  await uploadFile(i.bucket, objectKey, path, { signal: i.signal });
  return bad;
}

/**
 * Uploads the local entry under `key` (which the caller keeps pinned); 'present' when its index was there
 * already (unless blobs were found bad: then it is written again), with the bad blobs it replaced.
 */
export async function publishSharedLayer(
  i: PublishInput,
): Promise<{ done: 'uploaded' | 'present' | 'gone'; replaced: string[] }> {
  const indexKey = indexObjectKey(i.prefix, i.scope, i.key);
  const entry = await i.cache.lookup(i.key);
  if (!entry) return { done: 'gone', replaced: [] };
  if (!i.badBlobs.size && (await i.bucket.exists(indexKey, { signal: i.signal })))
    return { done: 'present', replaced: [] };
  const replaced: string[] = [];
  if (await uploadBlob(i, entry.layer.digest, entry.blobPath)) replaced.push(entry.layer.digest);
  let extras: SharedIndexObject['extras'];
  const extrasDir = i.cache.extrasDir(i.key);
  if ((await readdir(extrasDir).catch(() => [])).length) {
    const work = await mkdtemp(join(i.cache.root, 'layers', `.publish-${process.pid}-`));
    try {
      const file = join(work, 'extras.blob');
      const d = await writeLayer({ sourceDir: extrasDir, kind: 'full-rootfs', compression: 'gzip', outFile: file });
      if (await uploadBlob(i, d.digest, file)) replaced.push(d.digest);
      extras = { digest: d.digest, size: d.size };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  const index: SharedIndexObject = {
    version: 1,
    key: i.key,
    layer: entry.layer,
    ...(extras ? { extras } : {}),
    createdAt: new Date().toISOString(),
  };
  await i.bucket.putBytes(indexKey, JSON.stringify(index), { signal: i.signal });
  return { done: 'uploaded', replaced };
}
