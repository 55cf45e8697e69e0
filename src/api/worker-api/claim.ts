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

/** One job a claim took, with its resource's record as read for the label check (the build reads it first). */
export interface Taken {
  job: TypedJob;
  resource?: ResourceRecord<Image>;
}

/**
 * A claim's outcome: the jobs taken (oldest first; none when nothing fits), and whether the queue
 * may hold more (wake the next claim).
 */
export interface Claimed {
  taken: Taken[];
  more: boolean;
}

/**
 * Takes up to `max` of the oldest runnable jobs whose needs `labels` meet: the candidates' records
 * are read for the label check, then the fitting ones are claimed in one statement (another worker
 * may take some first: then the next candidates are tried).
 */
export async function claimMatching(
  store: Store,
  workerId: string,
  labels: WorkerLabels,
  leaseMs: number,
  minFreeGib: number,
  max = 1,
): Promise<Claimed> {
  const tried = new Set<string>();
  const taken: Taken[] = [];
  let more = false;
  for (const limit of [Math.max(LOOK_FIRST, max + 2), Math.max(LOOK_AHEAD, 2 * max)]) {
    const candidates = await store.jobs.claimable(REMOTE_KINDS, limit);
    let next = 0;
    while (taken.length < max) {
      // The next candidates that fit, as many as slots are left; then one statement claims them.
      const fitting = new Map<string, ResourceRecord<Image> | undefined>();
      for (; next < candidates.length && fitting.size < max - taken.length; next++) {
        const candidate = candidates[next]!;
        if (tried.has(candidate.id)) continue;
        tried.add(candidate.id);
        const image = await store.resources.get<Image>(candidate.resourceArn);
        if (!mismatch(labels, needsOf(image?.doc, minFreeGib))) fitting.set(candidate.id, image);
      }
      if (!fitting.size) break;
      for (const job of await store.jobs.claimBatch(workerId, leaseMs, fitting.size, REMOTE_KINDS, [...fitting.keys()]))
        try {
          const image = fitting.get(job.id);
          taken.push({ job: typedJob(job), ...(image ? { resource: image } : {}) });
        } catch (err) {
          await store.jobs.finish(job.id, workerId, 'failed', err instanceof Error ? err.message : String(err));
        }
    }
    more = next < candidates.length || candidates.length === limit;
    if (taken.length >= max) break;
    if (candidates.length < limit) break; // the whole queue was looked at
  }
  return { taken, more: more && taken.length > 0 };
}
