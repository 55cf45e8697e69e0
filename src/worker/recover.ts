/**
 * @module Recovery of builds whose worker is gone: at server start, builds its previous in-process
 * worker left running (it was killed) are FAILED; at any time, a job whose lease expired with no
 * attempts left is FAILED (jobs with attempts left are claimed again by a live worker).
 */
import { stageOf } from '../images/image-failure.ts';
import { isInProgress } from '../images/image-states.ts';
import { reapStaleWorkDirs } from '../engine/work-dirs.ts';
import { cleanupStaleSandboxes } from '../instance/sandbox/index.ts';
import type { Image } from '../model/generated/shapes.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import { reapDistributionLeftovers } from '../distribution/leftovers.ts';
import type { Job, Store } from '../store/types.ts';
import { failImage } from './image-state.ts';

/** Marks the job's image FAILED (interrupted) when a build of it was still on its way; returns its ARN then. */
async function failInterrupted(store: Store, job: Job, detail: string): Promise<string | undefined> {
  const record = await store.resources.get<Image>(job.resourceArn);
  const status = record?.doc.state?.status;
  if (!record || !isInProgress(status)) return undefined;
  await failImage(store, record.arn, { kind: 'interrupted', stage: stageOf(status), detail });
  return record.arn;
}

export async function recoverInterruptedBuilds(store: Store, isOrphan: (job: Job) => boolean): Promise<string[]> {
  const expired = await reapExpiredJobs(store);
  const recovered: string[] = [...expired];
  for (const job of (await store.jobs.runningJobs()).filter(isOrphan)) {
    await store.jobs.finish(
      job.id,
      job.leaseOwner ?? '',
      'failed',
      'interrupted: the process running the build stopped',
    );
    const arn = await failInterrupted(
      store,
      job,
      'Interrupted: Ingot stopped during the build (it was killed or crashed); start a new build',
    );
    if (arn) recovered.push(arn);
  }
  return recovered;
}

/**
 * Removes what killed Ingot processes left on this machine: sandboxes (mounts, cgroups, helper
 * processes, runtime dirs) and build work dirs whose owner is gone. Run at start-up and by every
 * live worker from time to time, so a dead worker's leftovers do not wait for the next start.
 */
export async function reapCrashLeftovers(home: string): Promise<string[]> {
  return [...(await cleanupStaleSandboxes(home)), ...(await reapStaleWorkDirs(home))];
}

/** Fails jobs whose worker vanished after their last attempt; returns the images marked FAILED. */
export async function reapExpiredJobs(store: Store, now = Date.now()): Promise<string[]> {
  const out: string[] = [];
  for (const job of await store.jobs.failExpired(now)) {
    const arn = await failInterrupted(
      store,
      job,
      `Interrupted: the worker running the build (${job.leaseOwner ?? 'unknown'}) stopped responding, and all ${job.maxAttempts} attempt(s) are used`,
    );
    if (arn) out.push(arn);
  }
  return out;
}

/**
 * Undoes distributions a crash interrupted (journals of dead processes): the copies and pushed images of
 * images that did not become AVAILABLE. Run after `recoverInterruptedBuilds` has failed their images.
 */
export async function reapInterruptedDistributions(
  store: Store,
  home: string,
  config: IngotConfig,
  onDeferred?: (reason: string) => void,
): Promise<string[]> {
  return reapDistributionLeftovers(
    home,
    config,
    async (arn) => (await store.resources.get<Image>(arn))?.doc.state?.status,
    onDeferred,
  );
}
