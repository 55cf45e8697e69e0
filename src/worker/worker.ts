/**
 * @module The worker: claims typed jobs from its job source (several at once up to its concurrency),
 * hands each to the dispatcher, keeps their leases alive, and aborts a job that was cancelled or
 * whose lease was lost. Runs inside `ingot server` by default, as `ingot worker` beside it, or on a
 * build host as `ingot worker --control-plane URL` (the same loop, a remote job source).
 */
import type { BuildSettings } from '../config/settings.ts';
import { hostname } from 'node:os';
import type { LayerCache } from '../cache/layer-cache.ts';
import type { InstanceFactory } from '../engine/instance-factory.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import type { Store } from '../store/types.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { every } from '../timers/every.ts';
import { CANCELLED, LEASE_LOST, SHUTDOWN } from './context.ts';
import { dispatch } from './dispatch.ts';
import { type ClaimedJob, type JobSource, localJobSource } from './job-source.ts';
import { reapCrashLeftovers, reapInterruptedDistributions } from './recover.ts';

export interface WorkerOptions {
  /** The store on this data directory (the embedded path), unless `source` is given. */
  store?: Store;
  /** Where jobs come from (default: `store`). */
  source?: JobSource;
  home: string;
  basesHome?: string | undefined;
  cache: LayerCache | undefined;
  concurrency?: number;
  /** Names this worker in job leases; in-process workers start with `inproc:`. */
  workerId?: string;
  leaseMs?: number;
  pollMs?: number;
  newInstance?: InstanceFactory;
  /** Ingot's configuration now (sites, registries); default empty. */
  config?: () => IngotConfig;
  /** Build settings resolved at start-up (timeout, feed, signing key, qemu accelerator). */
  settings?: Partial<BuildSettings>;
  /** Where builds, their durations, heartbeats and lost leases are counted. */
  metrics?: Metrics;
  onError?: (err: unknown) => void;
}

export interface Worker {
  readonly id: string;
  /** Wakes the worker now (a job was queued). */
  notify(): void;
  /** Ids of the jobs running now. */
  running(): string[];
  /** Stops taking jobs, aborts running builds, waits for them to end. */
  stop(): Promise<void>;
}

export function startWorker(opts: WorkerOptions): Worker {
  const id = opts.workerId ?? `worker:${hostname()}:${process.pid}`;
  const leaseMs = opts.leaseMs ?? 30_000;
  const concurrency = opts.concurrency ?? 1;
  const source =
    opts.source ??
    (opts.store
      ? localJobSource(opts.store, id, leaseMs)
      : (() => {
          throw new Error('startWorker needs a store or a job source');
        })());
  const running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  const stopping = new AbortController();
  let stopped = false;

  const runJob = async ({ job, store, ...claim }: ClaimedJob, abort: AbortController): Promise<void> => {
    const beat = every(
      Math.max(250, Math.floor((claim.leaseMs ?? leaseMs) / 3)),
      async () => {
        const answer = await source.heartbeat(job);
        opts.metrics?.heartbeats.inc({ answer });
        if (answer === 'lost') opts.metrics?.leases.inc({ event: 'lost' });
        if (answer !== 'ok') abort.abort(answer === 'cancel' ? CANCELLED : LEASE_LOST);
      },
      { immediate: false, ...(opts.onError ? { onError: opts.onError } : {}) },
    );
    const started = Date.now();
    opts.metrics?.runningBuilds.inc();
    let outcome: string | undefined;
    try {
      const result = await dispatch(
        {
          store,
          home: opts.home,
          basesHome: opts.basesHome,
          cache: opts.cache,
          config: opts.config ?? (() => ({})),
          signal: abort.signal,
          settings: opts.settings,
          ...(opts.metrics ? { metrics: opts.metrics } : {}),
          ...(opts.newInstance ? { newInstance: opts.newInstance } : {}),
        },
        job,
      ).catch((err: unknown) => {
        // A build host that lost its lease cannot write the image any more: only the end is reported (and refused).
        if (abort.signal.reason === LEASE_LOST) return 'failed' as const;
        throw err;
      });
      outcome = abort.signal.reason === LEASE_LOST ? 'lease-lost' : result;
      await store.flushLogs().catch((err: unknown) => opts.onError?.(err));
      // The result of a job whose lease was lost only gets its refusal: a stopping worker does not wait for it.
      await source.finish(
        job,
        result,
        abort.signal.reason === LEASE_LOST ? stopping.signal : undefined,
        !stopped && !claiming,
      );
    } finally {
      void beat.stop();
      const labels = { kind: job.kind, outcome: outcome ?? 'error' };
      opts.metrics?.runningBuilds.dec();
      opts.metrics?.builds.inc(labels);
      opts.metrics?.buildSeconds.observe(labels, (Date.now() - started) / 1000);
    }
  };

  let lastReap = 0;
  let reapingDistributions = false;
  /** A claim is on its way (a finishing job then takes no next job with its result: one claim at a time). */
  let claiming = false;
  const tick = async (): Promise<void> => {
    if (Date.now() - lastReap >= leaseMs / 2) {
      lastReap = Date.now();
      await source.reap?.();
      await reapCrashLeftovers(opts.home).catch((err: unknown) => opts.onError?.(err));
      // In the background, one at a time: an unreachable site must not hold up taking jobs.
      // (A build host cannot read other images' states: its leftovers wait for a worker on the store.)
      const store = opts.store;
      if (store && !opts.source && !reapingDistributions) {
        reapingDistributions = true;
        void reapInterruptedDistributions(store, opts.home, opts.config?.() ?? {}, (reason) =>
          opts.onError?.(new Error(reason)),
        )
          .catch((err: unknown) => opts.onError?.(err))
          .finally(() => {
            reapingDistributions = false;
          });
      }
    }
    while (!stopped && running.size < concurrency) {
      claiming = true;
      const claimed = await source.claim(stopping.signal).finally(() => {
        claiming = false;
      });
      if (!claimed) break;
      if (stopped) {
        await source.giveBack(claimed.job);
        break;
      }
      const abort = new AbortController();
      const jobId = claimed.job.id;
      const done = runJob(claimed, abort)
        .catch(opts.onError)
        .finally(() => {
          running.delete(jobId);
          loop.wake();
        });
      running.set(jobId, { abort, done: done as Promise<void> });
    }
  };

  const loop = every(opts.pollMs ?? 1000, tick, opts.onError ? { onError: opts.onError } : {});
  return {
    id,
    notify: () => loop.wake(),
    running: () => [...running.keys()],
    async stop() {
      stopped = true;
      stopping.abort();
      await loop.stop();
      for (const r of running.values()) r.abort.abort(SHUTDOWN);
      await Promise.all([...running.values()].map((r) => r.done));
      await source.close?.().catch((err: unknown) => opts.onError?.(err));
    },
  };
}
