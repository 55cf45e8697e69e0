/**
 * @module The worker: claims typed jobs from the queue (several at once up to its concurrency),
 * hands each to the dispatcher, keeps their leases alive, and aborts a job that was cancelled.
 * Runs inside `ingot server` by default.
 */
import type { BuildSettings } from '../config/settings.ts';
import { hostname } from 'node:os';
import type { LayerCache } from '../cache/layer-cache.ts';
import type { InstanceFactory } from '../engine/instance-factory.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import type { TypedJob } from '../queue/job-kinds.ts';
import { claimJob } from '../queue/queue.ts';
import type { Store } from '../store/types.ts';
import { every } from '../timers/every.ts';
import { CANCELLED, SHUTDOWN } from './context.ts';
import { dispatch } from './dispatch.ts';
import { setState } from './image-state.ts';
import { reapCrashLeftovers, reapExpiredJobs, reapInterruptedDistributions } from './recover.ts';

export interface WorkerOptions {
  store: Store;
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
  onError?: (err: unknown) => void;
}

export interface Worker {
  readonly id: string;
  /** Wakes the worker now (a job was queued). */
  notify(): void;
  /** Stops taking jobs, aborts running builds, waits for them to end. */
  stop(): Promise<void>;
}

export function startWorker(opts: WorkerOptions): Worker {
  const id = opts.workerId ?? `worker:${hostname()}:${process.pid}`;
  const leaseMs = opts.leaseMs ?? 30_000;
  const concurrency = opts.concurrency ?? 1;
  const running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  let stopped = false;

  const runJob = async (job: TypedJob, abort: AbortController): Promise<void> => {
    const beat = every(
      Math.max(250, Math.floor(leaseMs / 3)),
      async () => {
        if (!(await opts.store.jobs.heartbeat(job.id, id, leaseMs))) abort.abort(CANCELLED);
      },
      { immediate: false, ...(opts.onError ? { onError: opts.onError } : {}) },
    );
    try {
      const config = opts.config ?? (() => ({}));
      const outcome = await dispatch(
        {
          store: opts.store,
          home: opts.home,
          basesHome: opts.basesHome,
          cache: opts.cache,
          config,
          signal: abort.signal,
          settings: opts.settings,
          ...(opts.newInstance ? { newInstance: opts.newInstance } : {}),
        },
        job,
      );
      if (outcome === 'interrupted') {
        // Stopped with attempts left: back to the queue for this or another worker.
        await setState(
          opts.store,
          job.resourceArn,
          'PENDING',
          'Waiting for a worker: the previous one stopped during the build',
        );
        await opts.store.jobs.release(job.id, id, 'worker stopped');
      } else {
        await opts.store.jobs.finish(job.id, id, outcome);
      }
    } finally {
      void beat.stop();
    }
  };

  let lastReap = 0;
  let reapingDistributions = false;
  const tick = async (): Promise<void> => {
    if (Date.now() - lastReap >= leaseMs / 2) {
      lastReap = Date.now();
      await reapExpiredJobs(opts.store);
      await reapCrashLeftovers(opts.home).catch((err: unknown) => opts.onError?.(err));
      // In the background, one at a time: an unreachable site must not hold up taking jobs.
      if (!reapingDistributions) {
        reapingDistributions = true;
        void reapInterruptedDistributions(opts.store, opts.home, opts.config?.() ?? {})
          .catch((err: unknown) => opts.onError?.(err))
          .finally(() => {
            reapingDistributions = false;
          });
      }
    }
    while (!stopped && running.size < concurrency) {
      const job = await claimJob(opts.store, id, leaseMs);
      if (!job) break;
      const abort = new AbortController();
      const done = runJob(job, abort)
        .catch(opts.onError)
        .finally(() => {
          running.delete(job.id);
          loop.wake();
        });
      running.set(job.id, { abort, done: done as Promise<void> });
    }
  };

  const loop = every(opts.pollMs ?? 1000, tick, opts.onError ? { onError: opts.onError } : {});
  return {
    id,
    notify: () => loop.wake(),
    async stop() {
      stopped = true;
      await loop.stop();
      for (const r of running.values()) r.abort.abort(SHUTDOWN);
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
