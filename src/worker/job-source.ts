/**
 * @module Where a worker's jobs come from and where their ends go: the store on the same data
 * directory (`localJobSource`, the embedded default and `ingot worker`), or a control plane's worker
 * API (`remoteJobSource`, a build host). The worker loop and the job handlers are the same for both.
 */
import type { TypedJob } from '../queue/job-kinds.ts';
import { claimJob } from '../queue/queue.ts';
import type { Store } from '../store/types.ts';
import type { Outcome } from './context.ts';
import { setState } from './image-state.ts';
import { type JobStore, localJobStore } from './job-store.ts';
import { reapExpiredJobs } from './recover.ts';

/** A claimed job and how its handler reaches the control plane. */
export interface ClaimedJob {
  job: TypedJob;
  store: JobStore;
  /** The lease the control plane granted (heartbeats come 3 times per lease); default the worker's own. */
  leaseMs?: number;
}

/** What a heartbeat says: keep going, the user cancelled, or the lease is gone (another worker may have the job). */
export type Beat = 'ok' | 'cancel' | 'lost';

export interface JobSource {
  /** The next job this worker may run, or undefined (a remote source waits a while for one first). */
  claim(signal: AbortSignal): Promise<ClaimedJob | undefined>;
  heartbeat(job: TypedJob): Promise<Beat>;
  /** Records the job's end; 'interrupted' puts it back in the queue (its image PENDING). */
  /**
   * Reports the job's end. `giveUp` (a job whose lease was lost) ends the retries of a result the
   * control plane would refuse anyway, when the worker stops. `takeNext`: the worker has a slot for
   * another job and no claim on its way; a remote source then asks for the next job in the result's
   * answer (one call per build while jobs are queued) and hands it out at its next `claim`.
   */
  finish(job: TypedJob, outcome: Outcome, giveUp?: AbortSignal, takeNext?: boolean): Promise<void>;
  /** Puts a claimed job that never ran back in the queue, its attempt not counted (the worker is stopping). */
  giveBack(job: TypedJob): Promise<void>;
  /** Gives back any job it holds that the worker has not taken yet (the worker stopped). */
  close?(): Promise<void>;
  /** Periodic housekeeping (fails jobs whose worker vanished after their last attempt). */
  reap?(): Promise<void>;
}

/** The store on this data directory: claims with one UPDATE, leases held by `workerId`. */
export function localJobSource(store: Store, workerId: string, leaseMs: number): JobSource {
  return {
    async claim() {
      const job = await claimJob(store, workerId, leaseMs);
      return job ? { job, store: localJobStore(store) } : undefined;
    },
    async heartbeat(job) {
      return (await store.jobs.heartbeat(job.id, workerId, leaseMs)) ? 'ok' : 'cancel';
    },
    async finish(job, outcome) {
      if (outcome === 'interrupted') {
        // Stopped with attempts left: back to the queue for this or another worker.
        await setState(store, job.resourceArn, 'PENDING', INTERRUPTED_REASON);
        await store.jobs.release(job.id, workerId, 'worker stopped');
      } else await store.jobs.finish(job.id, workerId, outcome);
    },
    async giveBack(job) {
      await store.jobs.unclaim(job.id, workerId);
    },
    async reap() {
      await reapExpiredJobs(store);
    },
  };
}

export const INTERRUPTED_REASON = 'Waiting for a worker: the previous one stopped during the build';
