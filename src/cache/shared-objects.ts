/** @module The shared layer cache's objects in its bucket: content-addressed blobs, and one index object per (account, cache key). */
import { digestHex } from '../oci/digest.ts';
import { LAYER_MEDIA_TYPE, type LayerDescriptor } from '../oci/media-types.ts';

/** The index folder of builds without an account (`ingot build`, the boot layer every account shares). */
export const UNSCOPED = 'unscoped';

/** What the index object of a cache key names: the layer blob and the build's /tmp kept beside it. */
export interface SharedIndexObject {
  version: 1;
  key: string;
  layer: LayerDescriptor;
  /** The entry's extras dir (what the build phase left in /tmp) as a tar blob, when it had any. */
  extras?: { digest: string; size: number } | undefined;
  createdAt: string;
}

const LAYER_MEDIA_TYPES = new Set(Object.values(LAYER_MEDIA_TYPE));
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const KEY = /^[a-f0-9]{64}$/;

const base = (prefix: string): string => (prefix ? `${prefix}/` : '');

/** `PREFIX/blobs/sha256/HEX`: shared by every account, as the local blob store is. */
export function blobObjectKey(prefix: string, digest: string): string {
  return `${base(prefix)}blobs/sha256/${digestHex(digest)}`;
}

/** `PREFIX/index/ACCOUNT/KEY.json` (`unscoped` without an account): an account only ever reads its own. */
export function indexObjectKey(prefix: string, scope: string | undefined, key: string): string {
  if (!KEY.test(key)) throw new Error(`invalid layer cache key: ${key}`);
  return `${base(prefix)}index/${scope === undefined ? UNSCOPED : encodeURIComponent(scope)}/${key}.json`;
}

/** The index object in `text`, or why it cannot be used (another version, a bad digest, another key). */
export function parseIndexObject(text: string, key: string): SharedIndexObject | string {
  let o: SharedIndexObject;
  try {
    o = JSON.parse(text) as SharedIndexObject;
  } catch {
    return 'not JSON';
  }
  if (o?.version !== 1) return `unknown version ${String(o?.version)}`;
  if (o.key !== key) return `it names another key (${String(o.key)})`;
  const l = o.layer;
  if (!l || !LAYER_MEDIA_TYPES.has(l.mediaType) || !DIGEST.test(l.digest) || !DIGEST.test(l.diffId))
    return 'its layer descriptor is malformed';
  if (!Number.isSafeInteger(l.size) || l.size < 0) return 'its layer size is malformed';
  if (o.extras !== undefined && (!DIGEST.test(o.extras.digest) || !Number.isSafeInteger(o.extras.size)))
    return 'its extras blob is malformed';
  return o;
}
