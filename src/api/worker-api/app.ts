/**
 * @module The worker API (`/worker/v1/…`) that build hosts use instead of the database: claim a job
 * matching their labels (long poll, claim-route.ts), the calls for a job they hold (job-routes.ts:
 * heartbeat, scoped reads, image state, build-log lines and the image's documents, all kept in the
 * store) and the result (result-route.ts). Every per-job call is refused with 409 once the caller's
 * lease is lost; every call needs a build host's own token (acting only as that host) or the farm's
 * shared one (call.ts).
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { IMAGE_DOCUMENT_MAX_BYTES } from '../../artifacts/image-documents.ts';
import type { Store } from '../../store/types.ts';
import { callOf } from './call.ts';
import { claimRoute } from './claim-route.ts';
import { WorkerApiContext, type WorkerApiOptions } from './context.ts';
import { jobRoutes } from './job-routes.ts';
import { resultRoute } from './result-route.ts';

export type { WorkerApiOptions } from './context.ts';

export interface WorkerApi {
  app: Hono;
  /** Wakes waiting claims (a job was queued). */
  notify(): void;
  /** Ends waiting claims (204) and refuses new ones: the server is stopping. */
  close(): void;
}

export function createWorkerApi(opts: WorkerApiOptions): WorkerApi {
  const ctx = new WorkerApiContext(opts);
  const call = callOf(ctx);
  const job = jobRoutes(ctx);
  const app = new Hono();
  app.post('/worker/v1/claim', call('claim', claimRoute(ctx)));
  app.post('/worker/v1/jobs/:id/heartbeat', call('heartbeat', job.heartbeat));
  app.post('/worker/v1/jobs/:id/read', call('read', job.read));
  app.post('/worker/v1/jobs/:id/workflow', call('workflow', job.workflow));
  app.post('/worker/v1/jobs/:id/state', call('state', job.state));
  app.post('/worker/v1/jobs/:id/log', call('log', job.log));
  app.post(
    '/worker/v1/jobs/:id/document',
    // JSON escaping may grow a document; anything much larger is refused before it is read.
    bodyLimit({
      maxSize: 2 * IMAGE_DOCUMENT_MAX_BYTES + 4096,
      onError: (c) => c.json({ error: `a document must be at most ${IMAGE_DOCUMENT_MAX_BYTES} bytes` }, 413),
    }),
    call('document', job.document),
  );
  app.post('/worker/v1/jobs/:id/result', call('result', resultRoute(ctx)));
  app.get(
    '/worker/v1/workers',
    call('workers', async (c) => c.json({ workers: await listWorkers(opts.store) }, 200)),
  );
  return {
    app,
    notify: () => ctx.waiters.wakeOne(),
    close() {
      ctx.closed = true;
      ctx.waiters.wakeAll();
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
