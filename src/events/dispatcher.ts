/**
 * @module Webhook delivery of image state changes. The store records every change (a trigger);
 * the dispatcher turns each into one delivery per webhook of the image's SNS topic (the
 * infrastructure configuration's `snsTopicArn`, mapped by `webhooks` in config.json), and POSTs
 * due deliveries, retrying failures with exponential backoff. Deliveries live in the store, so
 * they survive restarts; delivery is at least once, in order of the changes per webhook.
 */
import { every } from '../timers/every.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import type { EventDelivery, Store } from '../store/types.ts';
import { SIGNATURE_HEADER, signBody, snsNotification } from './sns-message.ts';

/** The read cursor of the fan-out: events after it have no deliveries yet. */
export const CURSOR = 'webhooks';
export const MAX_DELIVERY_ATTEMPTS = 10;

export interface DispatcherOptions {
  store: Store;
  config: () => IngotConfig;
  intervalMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

/** Queues deliveries for events recorded since the last call. */
export async function fanOut(store: Store, config: IngotConfig, now: number): Promise<number> {
  let after = await store.events.cursor(CURSOR);
  let queued = 0;
  for (;;) {
    const events = await store.events.imageEvents(after, 200);
    if (!events.length) return queued;
    for (const e of events) {
      const infra = e.doc['infrastructureConfiguration'] as { snsTopicArn?: string } | undefined;
      const topic = infra?.snsTopicArn;
      for (const hook of topic ? (config.webhooks?.[topic] ?? []) : []) {
        await store.events.addDelivery({
          eventSeq: e.seq,
          topicArn: topic!,
          url: hook.url,
          body: snsNotification(e, topic!),
          now,
        });
        queued++;
      }
      after = e.seq;
    }
    await store.events.setCursor(CURSOR, after);
  }
}

async function send(d: EventDelivery, config: IngotConfig): Promise<void> {
  const hook = config.webhooks?.[d.topicArn]?.find((h) => h.url === d.url);
  if (!hook) throw new Error(`the webhook ${d.url} is no longer configured for ${d.topicArn}`);
  const response = await fetch(d.url, {
    method: 'POST',
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-topic-arn': d.topicArn,
      'x-ingot-delivery-id': String(d.id),
      [SIGNATURE_HEADER]: signBody(hook.secret, d.body),
    },
    body: d.body,
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer().catch(() => undefined);
  if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status}`);
}

/** How long a claimed delivery is held for its sender (longer than one send's 10 s timeout). */
const DELIVERY_LEASE_MS = 60_000;

/** Sends every due delivery once; failures are retried after 1 s, 2 s, 4 s ... (at most 5 min). */
export async function deliverDue(store: Store, config: IngotConfig, now: number): Promise<number> {
  let sent = 0;
  // Claimed, not just read: with several servers on one database each delivery is sent by one.
  for (const d of await store.events.claimDeliveries(now, MAX_DELIVERY_ATTEMPTS, 100, DELIVERY_LEASE_MS)) {
    try {
      await send(d, config);
      await store.events.markDelivered(d.id, new Date().toISOString());
      sent++;
    } catch (err) {
      const delay = Math.min(300_000, 1000 * 2 ** d.attempts);
      await store.events.markFailed(d.id, err instanceof Error ? err.message : String(err), now + delay);
    }
  }
  return sent;
}

export function startDispatcher(opts: DispatcherOptions): { stop(): Promise<void> } {
  const now = opts.now ?? Date.now;
  const round = async () => {
    const config = opts.config();
    await fanOut(opts.store, config, now());
    await deliverDue(opts.store, config, now());
  };
  const loop = every(opts.intervalMs ?? 500, round, opts.onError ? { onError: opts.onError } : {});
  return {
    async stop() {
      await loop.stop();
    },
  };
}
