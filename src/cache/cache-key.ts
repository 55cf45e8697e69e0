/** @module Layer cache keys: what a component layer's content depends on, hashed. */
import { createHash } from 'node:crypto';

export interface LayerCacheKeyInput {
  /** Digest of the layer this one is stacked on (the base image's top layer for the first component). */
  parentLayerDigest: string;
  /** The component's document text, exactly as stored. */
  componentDocument: string;
  componentVersion: string;
  /** Component parameter values; key order does not matter. */
  parameters?: Record<string, unknown>;
  /** The layer blob's compression: a gzip build never takes a zstd layer (or the reverse). */
  compression: string;
  /** Whose cache entry this is (the account of an API build): entries of other scopes are never hit. */
  scope?: string | undefined;
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** `sha256(parent | document | version | parameters | compression)` as 64 hex chars; fields are length-prefixed so they cannot run together. */
export function layerCacheKey(input: LayerCacheKeyInput): string {
  const hash = createHash('sha256');
  for (const field of [
    input.parentLayerDigest,
    input.componentDocument,
    input.componentVersion,
    canonicalJson(input.parameters ?? {}),
    input.compression,
    ...(input.scope !== undefined ? [`scope:${input.scope}`] : []),
  ]) {
    hash
      .update(`${Buffer.byteLength(field)}:`)
      .update(field)
      .update('|');
  }
  return hash.digest('hex');
}
