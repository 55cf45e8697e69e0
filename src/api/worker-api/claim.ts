/**
 * @module A build host's claim: the oldest runnable job whose needs its labels meet, taken
 * atomically (another worker or server may take it first: then the next one is tried). Jobs that
 * distribute existing outputs stay with workers on the control plane's data directory (REMOTE_KINDS).
 */
import type { Image } from '../../model/generated/shapes.ts';
import type { JobKind, TypedJob } from '../../queue/job-kinds.ts';
import { typedJob } from '../../queue/queue.ts';
import type { Store } from '../../store/types.ts';
import { mismatch, needsOf, type WorkerLabels } from '../../worker/labels.ts';

/**
 * The kinds build hosts run: builds and imports. A distribute-only job (DistributeImage, RetryImage
 * of a failed distribution) re-uses outputs kept in the data directory that built them, so it runs
 * only on a worker of the control plane's data directory, for images built there; an image built on
 * a build host is built again instead (see services/pipelines/distribute-retry.ts).
 */
export const REMOTE_KINDS: readonly JobKind[] = ['image-build', 'image-import'];

const LOOK_AHEAD = 50;

/** A claim's outcome: the job taken, if any, and whether the queue held more after it (wake the next claim). */
export interface Claimed {
  job?: TypedJob;
  more: boolean;
}

export async function claimMatching(
  store: Store,
  workerId: string,
  labels: WorkerLabels,
  leaseMs: number,
  minFreeGib: number,
): Promise<Claimed> {
  const candidates = await store.jobs.claimable(REMOTE_KINDS, LOOK_AHEAD);
  for (const [i, candidate] of candidates.entries()) {
    const image = await store.resources.get<Image>(candidate.resourceArn);
    if (mismatch(labels, needsOf(image?.doc, minFreeGib))) continue;
    const job = await store.jobs.claim(workerId, leaseMs, REMOTE_KINDS, [candidate.id]);
    if (!job) continue; // taken meanwhile
    try {
      return { job: typedJob(job), more: i + 1 < candidates.length };
    } catch (err) {
      await store.jobs.finish(job.id, workerId, 'failed', err instanceof Error ? err.message : String(err));
    }
  }
  return { more: false };
}
