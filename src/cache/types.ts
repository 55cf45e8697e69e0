/** @module Layer cache types: entries, leases and the cache interface. */
import type { LayerDescriptor } from '../oci/media-types.ts';
import type { S3Endpoint } from '../s3/index.ts';
import type { BlobStore } from './blob-store.ts';

export interface LayerCacheEntry {
  key: string;
  layer: LayerDescriptor;
  /** The extracted upper dir (overlay whiteouts intact): use it read-only as an overlay lowerdir. */
  diffDir: string;
  /** The compressed layer blob. */
  blobPath: string;
  createdAt: Date;
  lastUsedAt: Date;
  /** Disk usage of diffDir plus the blob size. */
  sizeBytes: number;
}

/** A hold on an entry: it cannot be evicted until released. */
export interface Lease {
  entry: LayerCacheEntry;
  release(): void;
}

/** The optional shared layer cache behind the local one (shared-layers.ts); best effort, never throws for S3 errors. */
export interface SharedLayerStore {
  /** `s3://BUCKET/PREFIX`, for messages. */
  readonly url: string;
  /** On a local miss: the layer of (`scope`, `key`) from the bucket, installed here and pinned; undefined on a miss. */
  fetch(
    cache: LayerCache,
    key: string,
    scope: string | undefined,
    o: { signal?: AbortSignal | undefined; log: (line: string) => void },
  ): Promise<Lease | undefined>;
  /** After a local build: uploads the entry under `key` (pinned meanwhile); resolves when done or failed (logged). */
  publish(cache: LayerCache, key: string, scope: string | undefined, log: (line: string) => void): Promise<void>;
  close(): void;
}

export interface LayerCache {
  readonly root: string;
  readonly blobs: BlobStore;
  /** The shared layer cache (INGOT_LAYER_CACHE_S3), when one is set. */
  readonly shared: SharedLayerStore | undefined;
  lookup(key: string): Promise<LayerCacheEntry | undefined>;
  /** Moves `diffDir` and `layerFile` into the cache (they are gone afterwards), then evicts if over the limit. */
  put(key: string, input: { diffDir: string; layerFile: string; layer: LayerDescriptor }): Promise<LayerCacheEntry>;
  /** `put` that hands back the entry already pinned (no window in which a concurrent eviction could take it). */
  putAndAcquire(key: string, input: { diffDir: string; layerFile: string; layer: LayerDescriptor }): Promise<Lease>;
  touch(key: string): void;
  /** A directory for state kept beside the entry under `key` (a build's /tmp), removed with the entry. */
  extrasDir(key: string): string;
  /** Lookup + pin + touch in one step; undefined on a miss. */
  acquire(key: string): Promise<Lease | undefined>;
  /** In-process pin (counted); returns the unpin function. */
  pin(key: string): () => void;
  /** Evicts LRU entries that are not pinned until the total fits `maxBytes`; returns the evicted keys. */
  evict(): Promise<string[]>;
  totalBytes(): number;
  /** INGOT_CACHE_MAX_GIB in bytes: layers and whole-build output records share it. */
  readonly maxBytes: number;
  close(): void;
}

export interface OpenLayerCacheOptions {
  /** `$INGOT_HOME/cache` for server, worker and CLI (`layerCacheOptions` in src/config/settings.ts). */
  root: string;
  maxBytes: number;
  /** INGOT_LAYER_CACHE_S3: the bucket layers are shared through (`layerCacheOptions`); default none. */
  shared?: { endpoint: S3Endpoint; bucket: string; prefix: string } | undefined;
}
