/**
 * @module The calls a build host makes for a job it holds (`/worker/v1/jobs/:id/…`): heartbeat (the
 * lease extended; answers whether the job was cancelled), scoped reads, workflow records, the image's
 * state, build-log lines and the image's documents. Each is refused with 409 once the lease is lost.
 */
import { BUILD_HOST_MARK } from '../../artifacts/image-documents.ts';
import { tryParseArn } from '../../arn/arn.ts';
import type { StoredImage } from '../../images/image-failure.ts';
import type { ImageStatus } from '../../model/generated/shapes.ts';
import { parseLogLines } from '../../services/logs/events.ts';
import { setState } from '../../worker/image-state.ts';
import type { Route } from './call.ts';
import type { WorkerApiContext } from './context.ts';
import { leasedJob, LeaseRefused } from './lease.ts';
import { scopedRead } from './reads.ts';
import {
  BadBody,
  DocumentSchema,
  LogSchema,
  parseBody,
  ReadSchema,
  StateSchema,
  WorkerSchema,
  WorkflowSchema,
} from './schemas.ts';
import { scopedWorkflowRecords } from './workflow-records.ts';

export function jobRoutes(
  ctx: WorkerApiContext,
): Record<'heartbeat' | 'read' | 'workflow' | 'state' | 'log' | 'document', Route> {
  const { store, opts, now } = ctx;
  const leased = (id: string | undefined, workerId: string) => leasedJob(store, id ?? '', workerId, now());
  return {
    heartbeat: async (c, raw) => {
      const { workerId } = parseBody(WorkerSchema, raw);
      const id = c.req.param('id') ?? '';
      // One statement when the lease is live; otherwise the job is read to say why (or that it was cancelled).
      if (await store.jobs.heartbeat(id, workerId, opts.leaseMs, now()))
        return c.json({ cancel: false, leaseMs: opts.leaseMs }, 200);
      const job = await leased(id, workerId);
      if (job.state === 'cancelled') return c.json({ cancel: true }, 200);
      throw new LeaseRefused(409, `lease lost: job ${job.id} is no longer ${workerId}'s`);
    },
    read: async (c, raw) => {
      const body = parseBody(ReadSchema, raw);
      const job = await leased(c.req.param('id'), body.workerId);
      return c.json({ value: (await scopedRead(store, job, body)) ?? null }, 200);
    },
    workflow: async (c, raw) => {
      const body = parseBody(WorkflowSchema, raw);
      const job = await leased(c.req.param('id'), body.workerId);
      return c.json({ value: (await scopedWorkflowRecords(store, job, body)) ?? null }, 200);
    },
    state: async (c, raw) => {
      const body = parseBody(StateSchema, raw);
      const job = await leased(c.req.param('id'), body.workerId);
      if (body.arn !== job.resourceArn) throw new BadBody(`arn: a job writes only its own image (${job.resourceArn})`);
      const extra = (body.extra ?? {}) as Partial<StoredImage>;
      const changed = await setState(store, job.resourceArn, body.status as ImageStatus, body.reason, extra);
      return c.json({ changed }, 200);
    },
    log: async (c, raw) => {
      const body = parseBody(LogSchema, raw);
      const job = await leased(c.req.param('id'), body.workerId);
      const account = tryParseArn(job.resourceArn)?.account;
      if (!account) throw new BadBody(`job ${job.id} has no account's resource: it has no build log`);
      await store.buildLogs.append(job.resourceArn, account, parseLogLines(body.lines, now()));
      return c.json({ stored: body.lines.length }, 200);
    },
    document: async (c, raw) => {
      const body = parseBody(DocumentSchema, raw);
      const job = await leased(c.req.param('id'), body.workerId);
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
    },
  };
}
