/**
 * @module `POST /worker/v1/jobs/:id/result`: a job's end as its build host reports it. Done or failed
 * ends it (the answer may carry the host's next job); the same result sent again is answered again;
 * `interrupted` puts it back in the queue with its image PENDING (both or neither); `unstarted`
 * gives it back without counting the attempt.
 */
import { setState } from '../../worker/image-state.ts';
import { INTERRUPTED_REASON } from '../../worker/job-source.ts';
import type { Route } from './call.ts';
import type { WorkerApiContext } from './context.ts';
import { leasedJob, LeaseRefused } from './lease.ts';
import { parseBody, ResultSchema } from './schemas.ts';

export function resultRoute(ctx: WorkerApiContext): Route {
  const { store, now, waiters } = ctx;
  return async (c, raw) => {
    const { workerId, outcome, next } = parseBody(ResultSchema, raw);
    const id = c.req.param('id') ?? '';
    if (outcome === 'unstarted') {
      if (await store.jobs.unclaim(id, workerId)) {
        waiters.wakeOne();
        return c.json({ recorded: outcome }, 200);
      }
      const job = await leasedJob(store, id, workerId, now()); // throws why, unless it was cancelled
      if (job.state !== 'cancelled') throw new LeaseRefused(409, `job ${job.id} is not ${workerId}'s to give back`);
      await store.jobs.finishLeased(job.id, workerId, 'cancelled', now());
      return c.json({ recorded: 'cancelled' }, 200);
    }
    // One statement when the lease is live; otherwise the job is read to say why it is refused.
    if (outcome !== 'interrupted' && (await store.jobs.finishLeased(id, workerId, outcome, now())))
      return c.json({ recorded: outcome, ...(await ctx.handOver(workerId, next)) }, 200);
    // The same result again (its answer was lost): answered again, with the next job it may have carried.
    const ended = await store.jobs.get(id);
    if (ended && ended.leaseOwner === workerId && ended.state === outcome)
      return c.json({ recorded: outcome, ...(await ctx.handOver(workerId, next, true)) }, 200);
    const job = await leasedJob(store, id, workerId, now());
    if (outcome !== 'interrupted') throw new LeaseRefused(409, `lease lost: job ${job.id} is no longer ${workerId}'s`);
    // Back to the queue with its image PENDING, both or neither.
    await store.transaction(async () => {
      if (job.attempts < job.maxAttempts) {
        await setState(store, job.resourceArn, 'PENDING', INTERRUPTED_REASON);
        await store.jobs.release(job.id, workerId, 'worker stopped');
      } else await store.jobs.finish(job.id, workerId, 'failed');
    });
    return c.json({ recorded: outcome }, 200);
  };
}
