/**
 * @module A job handed to a build host whose answer it never got (the connection was cut after the
 * control plane leased it the job): the host's next claim or result says which jobs it holds
 * (`known`), and a job leased to it that it does not know, whose build has not started (its image
 * is still PENDING) and whose lease is live, is handed to it again — its lease renewed, its attempt
 * not counted a second time — instead of running out its lease and costing an attempt.
 */
import type { Image } from '../../model/generated/shapes.ts';
import type { TypedJob } from '../../queue/job-kinds.ts';
import { typedJob } from '../../queue/queue.ts';
import type { ResourceRecord, Store } from '../../store/types.ts';
import { REMOTE_KINDS } from './claim.ts';

export interface Rehanded {
  job: TypedJob;
  resource?: ResourceRecord<Image>;
}

/** The first job leased to `workerId` that it does not know of and never started, its lease renewed; else undefined. */
export async function rehandUnseen(
  store: Store,
  workerId: string,
  known: readonly string[],
  leaseMs: number,
  now: number,
): Promise<Rehanded | undefined> {
  for (const job of await store.jobs.runningJobs(workerId)) {
    if (known.includes(job.id)) continue;
    if (!(REMOTE_KINDS as readonly string[]).includes(job.kind)) continue;
    const image = await store.resources.get<Image>(job.resourceArn);
    // A started build (BUILDING, or further) is not handed again: its lease runs out as before.
    if (image?.doc.state?.status !== 'PENDING') continue;
    if (!(await store.jobs.heartbeat(job.id, workerId, leaseMs, now))) continue; // its lease ran out
    try {
      return { job: typedJob({ ...job, leaseExpiresAt: now + leaseMs }), resource: image };
    } catch {
      // An untyped job was never handed out (claimMatching finishes those as failed).
    }
  }
  return undefined;
}
