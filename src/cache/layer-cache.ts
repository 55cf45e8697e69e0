/**
 * @module Layer cache: component layers (blob + extracted upper dir for stacking as an overlay lowerdir) keyed by
 * `layerCacheKey`, evicted least-recently-used first when over `maxBytes`, never while pinned by a running build.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openBlobStore } from './blob-store.ts';
import { CacheIndex, type IndexRow } from './cache-index.ts';
import { recoverLayerCache } from './recovery.ts';
import { diskUsage, moveTree } from './tree-ops.ts';
import type { LayerCache, LayerCacheEntry, OpenLayerCacheOptions } from './types.ts';

export type { LayerCache, LayerCacheEntry, Lease, OpenLayerCacheOptions } from './types.ts';

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );
const KEY = /^[a-f0-9]{64}$/;

export async function openLayerCache(opts: OpenLayerCacheOptions): Promise<LayerCache> {
  const root = opts.root;
  const layersDir = join(root, 'layers');
  await mkdir(layersDir, { recursive: true });
  const blobs = await openBlobStore(root);
  const index = new CacheIndex(join(root, 'index.db'));
  const pins = new Map<string, number>();
  let evicting: Promise<string[]> = Promise.resolve([]);

  const dirOf = (key: string): string => {
    if (!KEY.test(key)) throw new Error(`invalid layer cache key: ${key}`);
    return join(layersDir, key);
  };
  const extrasOf = (key: string): string => {
    if (!KEY.test(key)) throw new Error(`invalid layer cache key: ${key}`);
    return join(root, 'extras', key);
  };
  const toEntry = (row: IndexRow): LayerCacheEntry => ({
    key: row.key,
    layer: row.layer,
    diffDir: dirOf(row.key),
    blobPath: blobs.path(row.layer.digest),
    createdAt: new Date(row.createdAt),
    lastUsedAt: new Date(row.lastUsedAt),
    sizeBytes: row.sizeBytes,
  });

  async function remove(row: IndexRow): Promise<void> {
    index.delete(row.key);
    await rm(dirOf(row.key), { recursive: true, force: true });
    await rm(extrasOf(row.key), { recursive: true, force: true });
    if (!index.digestInUse(row.layer.digest)) await blobs.delete(row.layer.digest);
  }

  await recoverLayerCache({
    layersDir,
    index,
    blobs,
    isIndexedDir: (name) => KEY.test(name) && index.get(name) !== undefined,
    remove,
  });

  // The S3 client is loaded only when a shared cache is configured (it is most of a build's start-up).
  const shared = opts.shared ? new (await import('./shared-layers.ts')).SharedLayers(opts.shared) : undefined;
  const cache: LayerCache = {
    root,
    blobs,
    shared,
    async lookup(key) {
      const row = index.get(key);
      if (!row) return undefined;
      if ((await exists(dirOf(key))) && (await blobs.has(row.layer.digest))) return toEntry(row);
      if (!pins.has(key)) await remove(row);
      return undefined;
    },
    async put(key, input) {
      const lease = await cache.putAndAcquire(key, input);
      lease.release();
      return lease.entry;
    },
    async putAndAcquire(key, input) {
      const incoming = join(layersDir, `.incoming-${process.pid}-${Math.random().toString(36).slice(2)}`);
      await moveTree(input.diffDir, incoming);
      await blobs.putFile(input.layerFile, { expectedDigest: input.layer.digest, move: true });
      const dir = dirOf(key);
      await moveTree(incoming, dir).catch(async () => {
        await rm(incoming, { recursive: true, force: true });
      });
      const now = Date.now();
      const sizeBytes = (await diskUsage(dir)) + (await stat(blobs.path(input.layer.digest))).size;
      index.insert({ key, layer: input.layer, createdAt: now, lastUsedAt: now, sizeBytes });
      index.touch(key, now);
      const release = cache.pin(key);
      try {
        await cache.evict();
      } catch (err) {
        release();
        throw err;
      }
      return { entry: toEntry(index.get(key)!), release };
    },
    touch(key) {
      index.touch(key, Date.now());
    },
    extrasDir: extrasOf,
    pin(key) {
      pins.set(key, (pins.get(key) ?? 0) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const n = (pins.get(key) ?? 1) - 1;
        if (n <= 0) pins.delete(key);
        else pins.set(key, n);
      };
    },
    async acquire(key) {
      const release = cache.pin(key);
      const entry = await cache.lookup(key);
      if (!entry) {
        release();
        return undefined;
      }
      cache.touch(key);
      return { entry, release };
    },
    evict() {
      evicting = evicting
        .catch(() => [])
        .then(async () => {
          const evicted: string[] = [];
          for (const row of index.lru()) {
            if (index.totalBytes() <= opts.maxBytes) break;
            if (pins.has(row.key)) continue;
            await remove(row);
            evicted.push(row.key);
          }
          return evicted;
        });
      return evicting;
    },
    totalBytes: () => index.totalBytes(),
    maxBytes: opts.maxBytes,
    close: () => {
      shared?.close();
      index.close();
    },
  };
  return cache;
}
