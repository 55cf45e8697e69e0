/**
 * @module The enqueue/claim API over the store's JobQueue: services enqueue a typed job request, the
 * worker claims typed jobs. Jobs of the legacy kind (written before job kinds existed) are mapped to
 * their kind when claimed, so an existing database's queue still runs.
 */
import { randomUUID } from 'node:crypto';
import { IngotError } from '../errors/ingot-error.ts';
import type { Image } from '../model/generated/shapes.ts';
import type { Job, JobQueue, Store } from '../store/types.ts';
import {
  IMPORT_BUILD_TYPE,
  JOB_KINDS,
  LEGACY_BUILD_KIND,
  type JobKind,
  type JobRequest,
  type TypedJob,
} from './job-kinds.ts';

/** Queues one job; returns the stored job. */
export function enqueueJob(jobs: JobQueue, request: JobRequest): Promise<Job> {
  return jobs.enqueue({
    id: request.id ?? randomUUID(),
    kind: request.kind,
    resourceArn: request.resourceArn,
    payload: { ...request.payload },
    ...(request.maxAttempts !== undefined ? { maxAttempts: request.maxAttempts } : {}),
  });
}

const isKind = (kind: string): kind is JobKind => (JOB_KINDS as readonly string[]).includes(kind);

/** The kind a legacy job stands for: its payload's `mode`, else the image's build type. */
export function legacyKind(payload: Record<string, unknown>, buildType: string | undefined): JobKind {
  if (payload['mode'] === 'distribute') return 'image-distribute';
  if (payload['mode'] === 'import' || buildType === IMPORT_BUILD_TYPE) return 'image-import';
  return 'image-build';
}

/**
 * A stored job as its typed variant (a legacy job mapped by `legacyKind`, its `mode` and `retry` markers
 * dropped). A payload that does not fit its kind is an error naming the job.
 */
export function typedJob(job: Job, buildType?: string): TypedJob {
  const kind = job.kind === LEGACY_BUILD_KIND ? legacyKind(job.payload, buildType) : job.kind;
  if (!isKind(kind)) throw new IngotError('ValidationException', `job ${job.id} has the unknown kind '${job.kind}'`);
  const { mode: _mode, retry: _retry, ...payload } = job.payload;
  const bad = (field: string, what: string) =>
    new IngotError('ValidationException', `job ${job.id} (${kind}): payload.${field} must be ${what}`);
  if (typeof payload['accountId'] !== 'string') throw bad('accountId', 'a string');
  if (typeof payload['region'] !== 'string') throw bad('region', 'a string');
  if (kind === 'image-import' && payload['uri'] !== undefined && typeof payload['uri'] !== 'string')
    throw bad('uri', 'a string');
  if (kind === 'image-distribute' && payload['distributions'] !== undefined && !Array.isArray(payload['distributions']))
    throw bad('distributions', 'a list');
  return { ...job, kind, payload } as unknown as TypedJob;
}

/** The kinds the worker claims: every kind, and the legacy one. */
export const CLAIMED_KINDS: readonly string[] = [...JOB_KINDS, LEGACY_BUILD_KIND];

/**
 * Takes the oldest runnable job as its typed variant. A job that cannot be typed is finished as failed
 * (with the reason) and the next one is taken.
 */
export async function claimJob(store: Store, workerId: string, leaseMs: number): Promise<TypedJob | undefined> {
  for (;;) {
    const job = await store.jobs.claim(workerId, leaseMs, CLAIMED_KINDS);
    if (!job) return undefined;
    try {
      const buildType =
        job.kind === LEGACY_BUILD_KIND ? (await store.resources.get<Image>(job.resourceArn))?.doc.buildType : undefined;
      return typedJob(job, buildType);
    } catch (err) {
      await store.jobs.finish(job.id, workerId, 'failed', err instanceof Error ? err.message : String(err));
    }
  }
}
