/**
 * @module One worker-API call: the token checked (a build host's own token acts only as that host),
 * the JSON body parsed, errors answered as `{ error }` with their status (400 bad body, 409 lost
 * lease or refused state change, 500 only for Ingot's own faults), and the call counted.
 */
import type { Context } from 'hono';
import { IngotError } from '../../errors/ingot-error.ts';
import { checkToken } from './auth.ts';
import type { WorkerApiContext } from './context.ts';
import { LeaseRefused } from './lease.ts';
import { BadBody } from './schemas.ts';

export type Route = (c: Context, body: unknown) => Promise<Response>;

/** Wraps a route as a Hono handler counted under `op`. */
export function callOf(ctx: WorkerApiContext) {
  const { opts, store } = ctx;
  return (op: string, fn: Route) =>
    async (c: Context): Promise<Response> => {
      let status = 500;
      let workerId: string | undefined;
      try {
        const auth = await checkToken(c.req.header('authorization'), opts.token, store);
        if (!auth.ok) {
          status = auth.status;
          return c.json({ error: auth.error }, auth.status);
        }
        const text = c.req.method === 'POST' ? await c.req.text() : '';
        opts.metrics?.workerApiReceivedBytes.inc({ op }, Buffer.byteLength(text));
        const body = c.req.method === 'POST' ? jsonBody(text) : {};
        workerId = (body as { workerId?: string }).workerId;
        if (auth.host !== undefined && workerId !== undefined && workerId !== auth.host) {
          status = 403;
          return c.json({ error: `this token is build host ${auth.host}'s: it acts only as worker ${auth.host}` }, 403);
        }
        const res = await fn(c, body);
        status = res.status;
        return res;
      } catch (err) {
        if (err instanceof BadBody) status = 400;
        else if (err instanceof LeaseRefused) status = err.status;
        else if (err instanceof IngotError && err.httpStatus < 500) status = 409;
        else opts.onError?.(err);
        return c.json({ error: status === 500 ? 'internal error' : (err as Error).message }, status as 400);
      } finally {
        const m = opts.metrics;
        m?.workerApiCalls.inc({ op, status: String(status) });
        if (workerId && status < 300) m?.workerLastSeen.set({ worker: workerId }, ctx.now() / 1000);
        if (op === 'heartbeat')
          m?.heartbeats.inc({ answer: status === 200 ? 'ok' : status === 409 ? 'lost' : 'error' });
        if (status === 409) m?.leases.inc({ event: 'refused' });
      }
    };
}

/** A POST's JSON body; BadBody (400) when it is not JSON. */
function jsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadBody('the body must be JSON');
  }
}
