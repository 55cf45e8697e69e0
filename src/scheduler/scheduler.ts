/**
 * @module The scheduler loop of `ingot server`: every interval it gives each pipeline with a
 * schedule its decision (pipeline-tick.ts) and runs ENABLED lifecycle policies once a day. Time
 * comes from an injectable clock; `tick()` runs one round now (tests).
 */
import { every } from '../timers/every.ts';
import type { ImagePipeline } from '../model/generated/shapes.ts';
import { systemClock, type Clock } from './clock.ts';
import { tickPipeline, type TickDeps, type TickResult } from './pipeline-tick.ts';

export interface SchedulerOptions extends TickDeps {
  clock?: Clock;
  /** How often a round runs (default 10 s; cron has minute resolution). */
  intervalMs?: number;
  /** Extra work per round (the daily lifecycle run). */
  extraRound?: (now: number) => Promise<void>;
}

export interface Scheduler {
  /** One round now; the decision for each scheduled pipeline ARN. */
  tick(): Promise<Map<string, TickResult>>;
  stop(): Promise<void>;
}

export function startScheduler(opts: SchedulerOptions): Scheduler {
  const clock = opts.clock ?? systemClock;
  let chain: Promise<unknown> = Promise.resolve();

  const round = async (): Promise<Map<string, TickResult>> => {
    const now = clock.now();
    const results = new Map<string, TickResult>();
    for (const record of await opts.store.resources.allOfType<ImagePipeline>('image-pipeline')) {
      try {
        const r = await tickPipeline(opts, record, now);
        if (r !== 'not-scheduled') results.set(record.arn, r);
      } catch (err) {
        opts.onError?.(err);
      }
    }
    if (opts.extraRound) await opts.extraRound(now).catch((err) => opts.onError?.(err));
    return results;
  };
  // Rounds never overlap: each waits for the one before.
  const serial = (): Promise<Map<string, TickResult>> => {
    const next = chain.then(round, round);
    chain = next.catch(() => undefined);
    return next;
  };
  // intervalMs 0: no loop, rounds only by tick() (tests).
  const loop =
    opts.intervalMs === 0
      ? undefined
      : every(opts.intervalMs ?? 10_000, serial, opts.onError ? { onError: opts.onError } : {});
  return {
    tick: serial,
    async stop() {
      await loop?.stop();
      await chain;
    },
  };
}
