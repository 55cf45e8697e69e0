/**
 * @module The worker: takes build jobs from the store's queue (several at once up to its
 * concurrency), keeps their leases alive, and aborts a build whose job was cancelled. Runs inside
 * `ingot server` by default.
 */
import { hostname } from 'node:os';
import type { LayerCache } from '../cache/layer-cache.ts';
import type { InstanceFactory } from '../engine/instance-factory.ts';
import { BUILD_JOB_KIND } from '../queue/job-kinds.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import type { Job, Store } from '../store/types.ts';
import { CANCELLED, setState, SHUTDOWN } from './process-image.ts';
import { processJob } from './process-import.ts';
import { reapExpiredJobs } from './recover.ts';

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
  let timer: NodeJS.Timeout | undefined;

  const runJob = async (job: Job, abort: AbortController): Promise<void> => {
    const beat = setInterval(
      () => {
        opts.store.jobs.heartbeat(job.id, id, leaseMs).then((mine) => mine || abort.abort(CANCELLED), opts.onError);
      },
      Math.max(250, Math.floor(leaseMs / 3)),
    );
    try {
      const config = opts.config ?? (() => ({}));
      const outcome = await processJob(
        {
          store: opts.store,
          home: opts.home,
          basesHome: opts.basesHome,
          cache: opts.cache,
          config,
          signal: abort.signal,
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
      clearInterval(beat);
    }
  };

  let lastReap = 0;
  const tick = async (): Promise<void> => {
    timer = undefined;
    if (Date.now() - lastReap >= leaseMs / 2) {
      lastReap = Date.now();
      await reapExpiredJobs(opts.store);
    }
    while (!stopped && running.size < concurrency) {
      const job = await opts.store.jobs.claim(id, leaseMs, [BUILD_JOB_KIND]);
      if (!job) break;
      const abort = new AbortController();
      const done = runJob(job, abort)
        .catch(opts.onError)
        .finally(() => {
          running.delete(job.id);
          schedule(0);
        });
      running.set(job.id, { abort, done: done as Promise<void> });
    }
    schedule(opts.pollMs ?? 1000);
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick().catch(opts.onError), ms);
  };

  schedule(0);
  return {
    id,
    notify: () => schedule(0),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const r of running.values()) r.abort.abort(SHUTDOWN);
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
