/**
 * @module A build host's claim: the oldest runnable job whose needs its labels meet, taken
 * atomically (another worker or server may take it first: then the next one is tried). Jobs that
 * distribute existing outputs stay with workers on the control plane's data directory (REMOTE_KINDS).
 */
import type { Image } from '../../model/generated/shapes.ts';
import type { JobKind, TypedJob } from '../../queue/job-kinds.ts';
import { typedJob } from '../../queue/queue.ts';
import type { ResourceRecord, Store } from '../../store/types.ts';
import { mismatch, needsOf, type WorkerLabels } from '../../worker/labels.ts';

/**
 * The kinds build hosts run: builds and imports. A distribute-only job (DistributeImage, RetryImage
 * of a failed distribution) re-uses outputs kept in the data directory that built them, so it runs
 * only on a worker of the control plane's data directory, for images built there; an image built on
 * a build host is built again instead (see services/pipelines/distribute-retry.ts).
 */
export const REMOTE_KINDS: readonly JobKind[] = ['image-build', 'image-import'];

/**
 * How many of the oldest runnable jobs a claim looks at first (enough for a few hosts racing for
 * the same ones), then, when none of those fit the worker's labels or all were taken meanwhile, how
 * many at most. Reading 50 rows for every claim was most of the control plane's CPU per build
 * with a long queue.
 */
const LOOK_FIRST = 4;
const LOOK_AHEAD = 50;

/**
 * A claim's outcome: the job taken, if any, its resource's record as read for the label check (sent
 * with the job: the build reads it first), and whether the queue may hold more (wake the next claim).
 */
export interface Claimed {
  job?: TypedJob;
  resource?: ResourceRecord<Image>;
  more: boolean;
}

export async function claimMatching(
  store: Store,
  workerId: string,
  labels: WorkerLabels,
  leaseMs: number,
  minFreeGib: number,
): Promise<Claimed> {
  const tried = new Set<string>();
  for (const limit of [LOOK_FIRST, LOOK_AHEAD]) {
    const candidates = await store.jobs.claimable(REMOTE_KINDS, limit);
    for (const [i, candidate] of candidates.entries()) {
      if (tried.has(candidate.id)) continue;
      tried.add(candidate.id);
      const image = await store.resources.get<Image>(candidate.resourceArn);
      if (mismatch(labels, needsOf(image?.doc, minFreeGib))) continue;
      const job = await store.jobs.claim(workerId, leaseMs, REMOTE_KINDS, [candidate.id]);
      if (!job) continue; // taken meanwhile
      try {
        return {
          job: typedJob(job),
          ...(image ? { resource: image } : {}),
          more: i + 1 < candidates.length || candidates.length === limit,
        };
      } catch (err) {
        await store.jobs.finish(job.id, workerId, 'failed', err instanceof Error ? err.message : String(err));
      }
    }
    if (candidates.length < limit) break; // the whole queue was looked at
  }
  return { more: false };
}
