/**
 * @module `POST /worker/v1/claim`: a long poll that takes up to `max` jobs matching the caller's
 * labels (the first with its image's record, the others in `also`), or hands again a job whose
 * answer the caller never got (see rehand.ts); 204 when none came before `waitSeconds` ran out.
 */
import { reapExpiredJobs } from '../../worker/recover.ts';
import type { Route } from './call.ts';
import { claimMatching } from './claim.ts';
import type { WorkerApiContext } from './context.ts';
import { rehandUnseen } from './rehand.ts';
import { ClaimSchema, parseBody } from './schemas.ts';

export function claimRoute(ctx: WorkerApiContext): Route {
  const { store, opts, waiters, now } = ctx;
  return async (c, raw) => {
    const body = parseBody(ClaimSchema, raw);
    const deadline = now() + (body.waitSeconds ?? 20) * 1000;
    await ctx.noteSeen(body.workerId, body.labels, body.running);
    const lost = body.known && (await rehandUnseen(store, body.workerId, body.known, opts.leaseMs, now()));
    if (lost)
      return c.json(
        { job: lost.job, leaseMs: opts.leaseMs, ...(lost.resource ? { resource: lost.resource } : {}) },
        200,
      );
    for (;;) {
      // A caller that hung up takes no job (it would hold the lease of a build nobody runs).
      if (ctx.closed || c.req.raw.signal.aborted) return c.body(null, 204);
      if (now() - ctx.lastReap > opts.leaseMs / 2) {
        ctx.lastReap = now();
        await reapExpiredJobs(store, now());
      }
      const { taken, more } = await claimMatching(
        store,
        body.workerId,
        body.labels,
        opts.leaseMs,
        opts.minFreeGib,
        body.max ?? 1,
      );
      if (taken.length && c.req.raw.signal.aborted) {
        // Its caller hung up while they were taken: back to the queue, the attempts not counted.
        for (const t of taken) await store.jobs.unclaim(t.job.id, body.workerId);
        waiters.wakeOne();
        return c.body(null, 204);
      }
      const [first, ...also] = taken;
      if (first) {
        const { job, resource } = first;
        if (more) waiters.wakeOne();
        opts.metrics?.leases.inc({ event: 'granted' }, taken.length);
        // The image's record comes with the job: the build's first read, saved a round trip. A
        // claim for several slots (`max`) gets the other jobs it took in `also`.
        return c.json(
          { job, leaseMs: opts.leaseMs, ...(resource ? { resource } : {}), ...(also.length ? { also } : {}) },
          200,
        );
      }
      const left = deadline - now();
      if (left <= 0 || ctx.closed || c.req.raw.signal.aborted) return c.body(null, 204);
      await waiters.wait(Math.min(left, opts.pollMs ?? 500), c.req.raw.signal);
      // Lets a hang-up that came meanwhile be seen before a job is taken for it.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
}
