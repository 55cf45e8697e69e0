/**
 * @module The optional shared layer cache (INGOT_LAYER_CACHE_S3): layers missing here are fetched
 * from an S3-compatible bucket, layers built here are published to it. Best effort by design: S3
 * errors are logged and count as a miss, every request has a timeout, and after a failure the
 * bucket is left alone for a minute so that a build does not wait on a service that is down.
 */
import { S3Bucket, type S3Endpoint } from '../s3/index.ts';
import { fetchSharedLayer } from './shared-fetch.ts';
import { publishSharedLayer } from './shared-publish.ts';
import type { LayerCache, Lease, SharedLayerStore } from './types.ts';

export interface SharedLayersOptions {
  endpoint: S3Endpoint;
  bucket: string;
  /** Key prefix in the bucket ('' for none). */
  prefix: string;
  /** Bound of the index lookup on a miss (default 10 s). */
  indexTimeoutMs?: number;
  /** Bound of one layer's download or upload (default 10 min). */
  transferTimeoutMs?: number;
  /** How long the bucket is left alone after a failure (default 60 s). */
  backoffMs?: number;
}

/** Keys remembered for repair at most (a fetch that found bad blobs is followed by a build of that key). */
const MAX_REPAIRS = 1000;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class SharedLayers implements SharedLayerStore {
  readonly url: string;
  readonly #bucket: S3Bucket;
  readonly #prefix: string;
  readonly #indexTimeoutMs: number;
  readonly #transferTimeoutMs: number;
  readonly #backoffMs: number;
  #downUntil = 0;
  /** Cache key → blobs its fetch found missing or damaged: the layer built for that key replaces them and its index. */
  readonly #repairs = new Map<string, Set<string>>();

  constructor(o: SharedLayersOptions) {
    this.#bucket = new S3Bucket({ ...o.endpoint, region: o.endpoint.region ?? 'us-east-1' }, o.bucket);
    this.#prefix = o.prefix.replace(/^\/+|\/+$/g, '');
    this.url = `s3://${o.bucket}${this.#prefix ? `/${this.#prefix}` : ''}`;
    this.#indexTimeoutMs = o.indexTimeoutMs ?? 10_000;
    this.#transferTimeoutMs = o.transferTimeoutMs ?? 10 * 60_000;
    this.#backoffMs = o.backoffMs ?? 60_000;
  }

  #failed(what: string, err: unknown, log: (line: string) => void): void {
    this.#downUntil = Date.now() + this.#backoffMs;
    log(`shared layer cache ${this.url}: ${what} failed (${message(err)}); not used for ${this.#backoffMs / 1000} s`);
  }

  async fetch(
    cache: LayerCache,
    key: string,
    scope: string | undefined,
    o: { signal?: AbortSignal | undefined; log: (line: string) => void },
  ): Promise<Lease | undefined> {
    if (Date.now() < this.#downUntil) return undefined;
    const bounded = (ms: number) =>
      o.signal ? AbortSignal.any([o.signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms);
    try {
      return await fetchSharedLayer({
        bucket: this.#bucket,
        prefix: this.#prefix,
        cache,
        key,
        scope,
        indexSignal: bounded(this.#indexTimeoutMs),
        blobSignal: bounded(this.#transferTimeoutMs),
        log: o.log,
        onBadBlob: (digest) => {
          if (this.#repairs.size >= MAX_REPAIRS) this.#repairs.clear();
          this.#repairs.set(key, new Set([...(this.#repairs.get(key) ?? []), digest]));
        },
      });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      this.#failed(`fetching layer ${key.slice(0, 12)}`, err, o.log);
      return undefined;
    }
  }

  async publish(cache: LayerCache, key: string, scope: string | undefined, log: (line: string) => void): Promise<void> {
    if (Date.now() < this.#downUntil) return;
    const release = cache.pin(key);
    try {
      const { done, replaced } = await publishSharedLayer({
        bucket: this.#bucket,
        prefix: this.#prefix,
        cache,
        key,
        scope,
        signal: AbortSignal.timeout(this.#transferTimeoutMs),
        badBlobs: this.#repairs.get(key) ?? new Set(),
      });
      this.#repairs.delete(key);
      if (done === 'uploaded')
        log(
          `shared layer cache: layer ${key.slice(0, 12)} uploaded to ${this.url}${replaced.length ? ` (replacing ${replaced.length} bad blob(s))` : ''}`,
        );
    } catch (err) {
      this.#failed(`uploading layer ${key.slice(0, 12)}`, err, log);
    } finally {
      release();
    }
  }

  close(): void {
    this.#bucket.close();
  }
}
