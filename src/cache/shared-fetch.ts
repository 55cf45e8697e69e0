/**
 * @module On a local miss: the layer from the shared bucket. The index object of (account, key) names
 * the blobs; each is downloaded and its digest and size checked before anything is made of it (a
 * tampered or truncated blob is a miss); the layer becomes an overlay upper dir again and goes into
 * the local cache by `putAndAcquire`, as a layer built here does.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../oci/digest.ts';
import { applyLayer } from '../oci/layer/apply.ts';
import { downloadFile, type S3Bucket } from '../s3/index.ts';
import { blobObjectKey, indexObjectKey, parseIndexObject } from './shared-objects.ts';
import type { LayerCache, Lease } from './types.ts';

export interface FetchInput {
  bucket: S3Bucket;
  prefix: string;
  cache: LayerCache;
  key: string;
  scope: string | undefined;
  /** Bounds the index request (short) and the downloads (longer). */
  indexSignal: AbortSignal;
  blobSignal: AbortSignal;
  log: (line: string) => void;
  /** Told of a blob that is missing or not what its name says (the next upload of it replaces it). */
  onBadBlob: (digest: string) => void;
}

/** A blob downloaded to `path` whose digest and size are as named; false (and logged) otherwise. */
async function verifiedDownload(
  i: FetchInput,
  expected: { digest: string; size: number },
  path: string,
): Promise<boolean> {
  const objectKey = blobObjectKey(i.prefix, expected.digest);
  const missing = await downloadFile(i.bucket, objectKey, path, { signal: i.blobSignal }).then(
    () => false,
    (err: { status?: number }) => {
      if (err.status === 404) return true;
      throw err;
    },
  );
  if (missing) {
    i.onBadBlob(expected.digest);
    i.log(`shared layer cache: ${i.bucket.url(objectKey)}, named by an index, is missing: not used`);
    return false;
  }
  const got = await sha256File(path);
  if (got.digest === expected.digest && got.size === expected.size) return true;
  i.onBadBlob(expected.digest);
  i.log(
    `shared layer cache: ${i.bucket.url(objectKey)} is not the blob its index names (sha256 ${got.digest}, ${got.size} bytes; expected ${expected.digest}, ${expected.size} bytes): not used`,
  );
  return false;
}

/** The entry under `key`, pinned, from the bucket; undefined when the bucket has none (or none usable). Throws on S3 errors. */
export async function fetchSharedLayer(i: FetchInput): Promise<Lease | undefined> {
  const indexKey = indexObjectKey(i.prefix, i.scope, i.key);
  const text = await i.bucket.getText(indexKey, { signal: i.indexSignal }).catch((err: { status?: number }) => {
    if (err.status === 404) return undefined;
    throw err;
  });
  if (text === undefined) return undefined;
  const index = parseIndexObject(text, i.key);
  if (typeof index === 'string') {
    i.log(`shared layer cache: ${i.bucket.url(indexKey)} is not usable (${index})`);
    return undefined;
  }
  const work = await mkdtemp(join(i.cache.root, 'layers', `.shared-${process.pid}-`));
  try {
    const blob = join(work, 'layer.blob');
    if (!(await verifiedDownload(i, index.layer, blob))) return undefined;
    const diffDir = join(work, 'diff');
    await mkdir(diffDir);
    if ((await applyLayer(blob, diffDir, { asOverlayUpper: true })).xattrsSkipped) {
      i.log('shared layer cache: setfattr (package attr) is missing, a layer cannot be installed: not used');
      return undefined;
    }
    if (index.extras) {
      const extrasBlob = join(work, 'extras.blob');
      if (!(await verifiedDownload(i, index.extras, extrasBlob))) return undefined;
      const extrasDir = i.cache.extrasDir(i.key);
      await rm(extrasDir, { recursive: true, force: true });
      await mkdir(extrasDir, { recursive: true });
      await applyLayer(extrasBlob, extrasDir);
    }
    return await i.cache.putAndAcquire(i.key, { diffDir, layerFile: blob, layer: index.layer });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
