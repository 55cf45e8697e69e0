/**
 * @module What every service call knows about its caller: the store, the account and region the
 * request was signed for, and a request id. Built by the API layer (or the CLI) per request.
 */
import type { Store } from '../../store/types.ts';
import type { DocumentSources } from '../components/document-uri.ts';

export interface ServiceContext {
  readonly store: Store;
  /** The caller's account id (12 digits). */
  readonly accountId: string;
  /** The region the request was signed for; each region's resources are separate. */
  readonly region: string;
  readonly requestId: string;
  /** Wakes the worker after an image was queued (no-op where no worker runs in this process). */
  readonly notifyQueued?: () => void;
  /** Where component documents named by a `uri` are read from (the server's settings). */
  readonly documentSources?: DocumentSources;
}

/** The account that owns managed (owner Amazon) resources, as it appears in their ARNs. */
export const MANAGED_ACCOUNT = 'aws';

export const nowIso = (): string => new Date().toISOString();

/** Copies `o` without its undefined members (responses carry only what is set). */
export function dropUndefined<T extends object>(o: T): T {
  // A plain loop: list responses call this for every item (Object.entries/fromEntries allocate an
  // array per member).
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out as T;
}

/** The `tags` member of a response: absent when there are none (the model's TagMap has min 1). */
export function tagsField(tags: Record<string, string> | undefined): { tags?: Record<string, string> } {
  return tags && Object.keys(tags).length ? { tags } : {};
}
