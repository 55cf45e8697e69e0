/**
 * @module The lease check of every per-job call of the worker API: the job is the caller's (its
 * lease owner), still running or cancelled (a cancelled job may still report its end), and its
 * lease has not expired by the control plane's clock. Anything else is a 409 naming why.
 */
import type { Job, Store } from '../../store/types.ts';

export class LeaseRefused extends Error {
  readonly status: 404 | 409;
  constructor(status: 404 | 409, message: string) {
    super(message);
    this.name = 'LeaseRefused';
    this.status = status;
  }
}

/** The job `jobId` when `workerId` holds its lease at `now`; throws LeaseRefused otherwise. */
export async function leasedJob(store: Store, jobId: string, workerId: string, now: number): Promise<Job> {
  const job = await store.jobs.get(jobId);
  if (!job) throw new LeaseRefused(404, `no job ${jobId}`);
  if (job.leaseOwner !== workerId)
    throw new LeaseRefused(
      409,
      `lease lost: job ${jobId} is held by ${job.leaseOwner ?? 'no worker'} now, not ${workerId} (it stopped heartbeating and the job was given to another worker)`,
    );
  if (job.state === 'cancelled') return job;
  if (job.state !== 'running') throw new LeaseRefused(409, `lease lost: job ${jobId} has ended (${job.state})`);
  if (job.leaseExpiresAt !== null && job.leaseExpiresAt < now)
    throw new LeaseRefused(
      409,
      `lease lost: the lease of job ${jobId} expired at ${new Date(job.leaseExpiresAt).toISOString()} (no heartbeat from ${workerId} since); the job goes to another worker`,
    );
  return job;
}
