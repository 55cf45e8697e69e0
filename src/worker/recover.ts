/**
 * @module Start-up recovery: builds that a previous process left running (it was killed) are
 * marked FAILED with a reason, and their jobs closed, so nothing claims to be BUILDING forever.
 */
import type { Image } from '../model/generated/shapes.ts';
import type { Job, Store } from '../store/types.ts';

export async function recoverInterruptedBuilds(store: Store, isOrphan: (job: Job) => boolean): Promise<string[]> {
  const expired = await store.jobs.failExpired(Date.now());
  const orphans = (await store.jobs.runningJobs()).filter(isOrphan);
  const recovered: string[] = [];
  for (const job of [...expired, ...orphans]) {
    await store.jobs.finish(job.id, job.leaseOwner ?? '', 'failed', 'interrupted: the process running the build stopped');
    const record = await store.resources.get<Image>(job.resourceArn);
    const status = record?.doc.state?.status;
    if (record && status && !['AVAILABLE', 'FAILED', 'CANCELLED', 'DELETED'].includes(status)) {
      await store.resources.update(record.arn, { ...record.doc, state: { status: 'FAILED', reason: 'Interrupted: Ingot stopped during the build (it was killed or crashed); start a new build' } });
      recovered.push(record.arn);
    }
  }
  return recovered;
}
