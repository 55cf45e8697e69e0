/**
 * @module The worker API (`/worker/v1/…`) that build hosts use instead of the database: claim a job
 * matching their labels (long poll), heartbeat (extends the lease; answers whether the job was
 * cancelled), scoped reads, image state, build-log lines and the image's documents (manifest, SBOMs,
 * findings), both kept in the store, and the result. Every per-job call is
 * refused with 409 once the caller's lease is lost; every call needs a build host's own token (acting
 * only as that host) or the farm's shared one.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BUILD_HOST_MARK, IMAGE_DOCUMENT_MAX_BYTES } from '../../artifacts/image-documents.ts';
import { tryParseArn } from '../../arn/arn.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import type { StoredImage } from '../../images/image-failure.ts';
import type { ImageStatus } from '../../model/generated/shapes.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import { parseLogLines } from '../../services/logs/events.ts';
import type { Store } from '../../store/types.ts';
import { setState } from '../../worker/image-state.ts';
import { INTERRUPTED_REASON } from '../../worker/job-source.ts';
import { reapExpiredJobs } from '../../worker/recover.ts';
import { checkToken } from './auth.ts';
import { claimMatching } from './claim.ts';
import { leasedJob, LeaseRefused } from './lease.ts';
import { rehandUnseen } from './rehand.ts';
import { scopedRead } from './reads.ts';
import { Waiters } from './waiters.ts';
import type { WorkerLabels } from '../../worker/labels.ts';
import { scopedWorkflowRecords } from './workflow-records.ts';
import {
  BadBody,
  ClaimSchema,
  DocumentSchema,
  LogSchema,
  parseBody,
  ReadSchema,
  WorkflowSchema,
  ResultSchema,
  StateSchema,
  WorkerSchema,
} from './schemas.ts';

/** How often a claim rewrites its worker's record when nothing in it changed (`ingot workers`' last-seen time). */
const SEEN_REFRESH_MS = 5000;

export interface WorkerApiOptions {
  store: Store;
  /**
   * The farm's shared worker token (INGOT_WORKER_TOKEN). Build hosts may instead present their own
   * tokens from the store; with neither, the worker API is off (404 saying how to turn it on).
   */
  token: string | undefined;
  leaseMs: number;
  /** Free space a build needs (INGOT_MIN_FREE_GIB): a worker with less gets no job. */
  minFreeGib: number;
  /** The control plane's clock (tests move it to expire leases). */
  now?: () => number;
  /** How often a waiting claim looks at the queue again when nothing wakes it. */
  pollMs?: number;
  /** Where calls, heartbeats, leases and workers' last-seen times are counted. */
  metrics?: Metrics;
  onError?: (err: unknown) => void;
}

export interface WorkerApi {
  app: Hono;
  /** Wakes waiting claims (a job was queued). */
  notify(): void;
  /** Ends waiting claims (204) and refuses new ones: the server is stopping. */
  close(): void;
}

export function createWorkerApi(opts: WorkerApiOptions): WorkerApi {
  const now = opts.now ?? Date.now;
  const { store } = opts;
  const waiters = new Waiters();
  const notify = () => waiters.wakeOne();
  /** When each worker's record was last written, and what it said (a claim rewrites it only when it changed or is stale). */
  const lastSeen = new Map<string, { key: string; at: number }>();
  const noteSeen = async (workerId: string, workerLabels: WorkerLabels, running: string[] = []) => {
    const labels = { ...workerLabels, running };
    const key = JSON.stringify(labels);
    const seen = lastSeen.get(workerId);
    if (!seen || seen.key !== key || now() - seen.at >= SEEN_REFRESH_MS) {
      await store.workers.seen({ id: workerId, labels, lastSeen: new Date(now()).toISOString() });
      lastSeen.set(workerId, { key, at: now() });
    }
  };
  /** A result's answer may carry the worker's next job (taken now, no waiting): one call per build while jobs are queued. */
  const handOver = async (
    workerId: string,
    next: { labels: WorkerLabels; running?: string[]; known?: string[] } | undefined,
    replay = false,
  ) => {
    if (!next || closed) return {};
    await noteSeen(workerId, next.labels, next.running);
    // Only a result sent again may have lost a job in its first answer (a claim looks too).
    const lost = replay && next.known && (await rehandUnseen(store, workerId, next.known, opts.leaseMs, now()));
    if (lost)
      return { next: { job: lost.job, leaseMs: opts.leaseMs, ...(lost.resource ? { resource: lost.resource } : {}) } };
    const { taken, more } = await claimMatching(store, workerId, next.labels, opts.leaseMs, opts.minFreeGib);
    const [first] = taken;
    if (!first) return {};
    if (more) waiters.wakeOne();
    opts.metrics?.leases.inc({ event: 'granted' });
    return { next: { ...first, leaseMs: opts.leaseMs } };
  };
  let lastReap = 0;
  let closed = false;

  const app = new Hono();
  /** Runs a call: token check, body parsing, errors as JSON `{ error }` with their status. */
  const call =
    (op: string, fn: (c: Context, body: unknown) => Promise<Response>) =>
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
        if (workerId && status < 300) m?.workerLastSeen.set({ worker: workerId }, now() / 1000);
        if (op === 'heartbeat')
          m?.heartbeats.inc({ answer: status === 200 ? 'ok' : status === 409 ? 'lost' : 'error' });
        if (status === 409) m?.leases.inc({ event: 'refused' });
      }
    };

  app.post(
    '/worker/v1/claim',
    call('claim', async (c, raw) => {
      const body = parseBody(ClaimSchema, raw);
      const deadline = now() + (body.waitSeconds ?? 20) * 1000;
      await noteSeen(body.workerId, body.labels, body.running);
      const lost = body.known && (await rehandUnseen(store, body.workerId, body.known, opts.leaseMs, now()));
      if (lost)
        return c.json(
          { job: lost.job, leaseMs: opts.leaseMs, ...(lost.resource ? { resource: lost.resource } : {}) },
          200,
        );
      for (;;) {
        // A caller that hung up takes no job (it would hold the lease of a build nobody runs).
        if (closed || c.req.raw.signal.aborted) return c.body(null, 204);
        if (now() - lastReap > opts.leaseMs / 2) {
          lastReap = now();
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
        if (left <= 0 || closed || c.req.raw.signal.aborted) return c.body(null, 204);
        await waiters.wait(Math.min(left, opts.pollMs ?? 500), c.req.raw.signal);
        // Lets a hang-up that came meanwhile be seen before a job is taken for it.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );

  app.post(
    '/worker/v1/jobs/:id/heartbeat',
    call('heartbeat', async (c, raw) => {
      const { workerId } = parseBody(WorkerSchema, raw);
      const id = c.req.param('id') ?? '';
      // One statement when the lease is live; otherwise the job is read to say why (or that it was cancelled).
      if (await store.jobs.heartbeat(id, workerId, opts.leaseMs, now()))
        return c.json({ cancel: false, leaseMs: opts.leaseMs }, 200);
      const job = await leasedJob(store, id, workerId, now());
      if (job.state === 'cancelled') return c.json({ cancel: true }, 200);
      throw new LeaseRefused(409, `lease lost: job ${job.id} is no longer ${workerId}'s`);
    }),
  );

  app.post(
    '/worker/v1/jobs/:id/read',
    call('read', async (c, raw) => {
      const body = parseBody(ReadSchema, raw);
      const job = await leasedJob(store, c.req.param('id') ?? '', body.workerId, now());
      return c.json({ value: (await scopedRead(store, job, body)) ?? null }, 200);
    }),
  );

  app.post(
    '/worker/v1/jobs/:id/workflow',
    call('workflow', async (c, raw) => {
      const body = parseBody(WorkflowSchema, raw);
      const job = await leasedJob(store, c.req.param('id') ?? '', body.workerId, now());
      return c.json({ value: (await scopedWorkflowRecords(store, job, body)) ?? null }, 200);
    }),
  );

  app.post(
    '/worker/v1/jobs/:id/state',
    call('state', async (c, raw) => {
      const body = parseBody(StateSchema, raw);
      const job = await leasedJob(store, c.req.param('id') ?? '', body.workerId, now());
      if (body.arn !== job.resourceArn) throw new BadBody(`arn: a job writes only its own image (${job.resourceArn})`);
      const changed = await setState(
        store,
        job.resourceArn,
        body.status as ImageStatus,
        body.reason,
        (body.extra ?? {}) as Partial<StoredImage>,
      );
      return c.json({ changed }, 200);
    }),
  );

  app.post(
    '/worker/v1/jobs/:id/log',
    call('log', async (c, raw) => {
      const body = parseBody(LogSchema, raw);
      const job = await leasedJob(store, c.req.param('id') ?? '', body.workerId, now());
      const account = tryParseArn(job.resourceArn)?.account;
      if (!account) throw new BadBody(`job ${job.id} has no account's resource: it has no build log`);
      await store.buildLogs.append(job.resourceArn, account, parseLogLines(body.lines, now()));
      return c.json({ stored: body.lines.length }, 200);
    }),
  );

  app.post(
    '/worker/v1/jobs/:id/document',
    // JSON escaping may grow a document; anything much larger is refused before it is read.
    bodyLimit({
      maxSize: 2 * IMAGE_DOCUMENT_MAX_BYTES + 4096,
      onError: (c) => c.json({ error: `a document must be at most ${IMAGE_DOCUMENT_MAX_BYTES} bytes` }, 413),
    }),
    call('document', async (c, raw) => {
      const body = parseBody(DocumentSchema, raw);
      const job = await leasedJob(store, c.req.param('id') ?? '', body.workerId, now());
      const account = tryParseArn(job.resourceArn)?.account;
      if (job.kind !== 'image-build' || !account)
        throw new BadBody(`job ${job.id} builds no image: it has no documents`);
      await store.imageDocuments.put({ imageArn: job.resourceArn, account, name: body.name, body: body.body });
      // Its outputs are on that host: a distribution alone cannot run on the control plane (see builtOnBuildHost).
      if (body.name === 'manifest.json')
        await store.imageDocuments.put({
          imageArn: job.resourceArn,
          account,
          name: BUILD_HOST_MARK,
          body: job.leaseOwner ?? '',
        });
      return c.json({ stored: body.name }, 200);
    }),
  );

  app.post(
    '/worker/v1/jobs/:id/result',
    call('result', async (c, raw) => {
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
        return c.json({ recorded: outcome, ...(await handOver(workerId, next)) }, 200);
      // The same result again (its answer was lost): answered again, with the next job it may have carried.
      const ended = await store.jobs.get(id);
      if (ended && ended.leaseOwner === workerId && ended.state === outcome)
        return c.json({ recorded: outcome, ...(await handOver(workerId, next, true)) }, 200);
      const job = await leasedJob(store, id, workerId, now());
      if (outcome !== 'interrupted')
        throw new LeaseRefused(409, `lease lost: job ${job.id} is no longer ${workerId}'s`);
      // Back to the queue with its image PENDING, both or neither.
      await store.transaction(async () => {
        if (job.attempts < job.maxAttempts) {
          await setState(store, job.resourceArn, 'PENDING', INTERRUPTED_REASON);
          await store.jobs.release(job.id, workerId, 'worker stopped');
        } else await store.jobs.finish(job.id, workerId, 'failed');
      });
      return c.json({ recorded: outcome }, 200);
    }),
  );

  app.get(
    '/worker/v1/workers',
    call('workers', async (c) => c.json({ workers: await listWorkers(store) }, 200)),
  );

  return {
    app,
    notify,
    close() {
      closed = true;
      waiters.wakeAll();
    },
  };
}

/** Every build host seen, with the jobs it holds now (`ingot workers`). */
export async function listWorkers(store: Store) {
  const running = await store.jobs.runningJobs();
  return (await store.workers.list()).map((w) => ({
    ...w,
    jobs: running.filter((j) => j.leaseOwner === w.id).map((j) => ({ id: j.id, resourceArn: j.resourceArn })),
  }));
}

/** A POST's JSON body; BadBody (400) when it is not JSON. */
function jsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadBody('the body must be JSON');
  }
}
