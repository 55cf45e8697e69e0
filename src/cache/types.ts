/** @module Layer cache types: entries, leases and the cache interface. */
import type { LayerDescriptor } from '../oci/media-types.ts';
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

export interface LayerCache {
  readonly root: string;
  readonly blobs: BlobStore;
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
  close(): void;
}

export interface OpenLayerCacheOptions {
  /** `$INGOT_HOME/cache` for server, worker and CLI (`layerCacheOptions` in src/config/settings.ts). */
  root: string;
  maxBytes: number;
}
