/**
 * @module Retention of image state-change events. Every image state change stays in the store's
 * `image_events` table until it is fanned out and every webhook delivery of it is finished; after
 * that it is kept for `INGOT_EVENT_RETENTION_DAYS` (default 30) and then deleted with its
 * deliveries by the server's pruning loop. Events not yet fanned out and deliveries still being
 * retried are never deleted; a delivery that used all its attempts counts as finished.
 */
import { every } from '../timers/every.ts';
import { settingFromEnv } from '../config/settings.ts';
import type { Store } from '../store/types.ts';
import { CURSOR, MAX_DELIVERY_ATTEMPTS } from './dispatcher.ts';

export const DEFAULT_EVENT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * `INGOT_EVENT_RETENTION_DAYS` of `env` as the settings table parses it: days (fractions allowed),
 * `0` keeps every event (undefined); nonsense is the default. The server reads `settings.eventRetentionDays`.
 */
export const eventRetentionDays = (env: Readonly<Record<string, string | undefined>>): number | undefined =>
  settingFromEnv('eventRetentionDays', env);

/** Deletes finished events older than the retention, `batch` at a time (one short write each). */
export async function pruneDeliveredEvents(
  store: Store,
  opts: { now: number; retentionDays: number; batch?: number },
): Promise<{ events: number; deliveries: number }> {
  const before = new Date(opts.now - opts.retentionDays * DAY_MS).toISOString();
  const upToSeq = await store.events.cursor(CURSOR);
  const limit = opts.batch ?? 1000;
  const total = { events: 0, deliveries: 0 };
  for (;;) {
    const { events, deliveries } = await store.events.prune({
      before,
      upToSeq,
      maxAttempts: MAX_DELIVERY_ATTEMPTS,
      limit,
    });
    total.events += events;
    total.deliveries += deliveries;
    if (events < limit) return total;
    await new Promise((r) => setImmediate(r)); // let API requests in between batches
  }
}

export interface EventPruningOptions {
  store: Store;
  retentionDays: number;
  now?: () => number;
  /** Default: the retention, between 1 s and 1 hour. */
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

/** The server's loop: prunes at start, then every interval. */
export function startEventPruning(opts: EventPruningOptions): { stop(): Promise<void> } {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? Math.min(HOUR_MS, Math.max(1000, opts.retentionDays * DAY_MS));
  const loop = every(
    interval,
    () => pruneDeliveredEvents(opts.store, { now: now(), retentionDays: opts.retentionDays }),
    opts.onError ? { onError: opts.onError } : {},
  );
  return {
    async stop() {
      await loop.stop();
    },
  };
}
