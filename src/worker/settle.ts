/**
 * @module The end of a job that threw: the worker stopping (retried while attempts are left, else
 * FAILED as interrupted), a cancel (CANCELLED), or a failure (FAILED with its structured failure,
 * classified from the error). Shared by every job kind.
 */
import { DistributionFailed } from '../distribution/distribute.ts';
import { BuildDiskQuotaExceeded } from '../engine/disk-quota.ts';
import { BuildCancelled, BuildFailure, BuildTimeout } from '../engine/failure.ts';
import { type ImageFailure, failureReason, stageOf, type StoredImage } from '../images/image-failure.ts';
import type { ImageStatus } from '../model/generated/shapes.ts';
import type { Job } from '../store/types.ts';
import { failImage } from './image-state.ts';
import { type Outcome, type ProcessContext, SHUTDOWN } from './context.ts';

/** The import of a disk failed (its reader's own words in `detail`). */
export class ImportFailed extends Error {
  readonly disk: string;
  readonly detail: string;
  constructor(disk: string, detail: string) {
    super(`Import of ${disk} failed: ${detail}`);
    this.name = 'ImportFailed';
    this.disk = disk;
    this.detail = detail;
  }
}

/** What an error thrown by a job says, as a structured failure (`status` is where the image was). */
export function failureFromError(err: unknown, status: ImageStatus | undefined): ImageFailure {
  if (err instanceof DistributionFailed)
    return { kind: 'distribution', stage: 'distribute', target: err.target, detail: err.reason };
  if (err instanceof ImportFailed) return { kind: 'import', stage: 'import', target: err.disk, detail: err.detail };
  if (err instanceof BuildDiskQuotaExceeded)
    return { kind: 'disk-quota', stage: err.stage, target: err.path, detail: err.detail };
  if (err instanceof BuildFailure) {
    const kind = err instanceof BuildTimeout ? 'timeout' : err.stage === 'test' ? 'test' : 'build';
    return { kind, stage: err.stage, ...(err.component ? { component: err.component } : {}), detail: err.detail };
  }
  return { kind: 'error', stage: stageOf(status), detail: err instanceof Error ? err.message : String(err) };
}

export async function settleFailedJob(
  ctx: ProcessContext,
  job: Pick<Job, 'resourceArn' | 'attempts' | 'maxAttempts'>,
  err: unknown,
  log: (line: string) => void,
  work: 'build' | 'import',
): Promise<Outcome> {
  const arn = job.resourceArn;
  const status = (await ctx.store.resources.get<StoredImage>(arn))?.doc.state?.status;
  const stage = stageOf(status);
  if (ctx.signal.aborted && ctx.signal.reason === SHUTDOWN) {
    log(`${work} interrupted: the worker stopped`);
    if (job.attempts < job.maxAttempts) return 'interrupted';
    const detail = `Interrupted: the Ingot worker stopped during the ${work}`;
    await failImage(ctx.store, arn, { kind: 'interrupted', stage, detail });
    return 'failed';
  }
  if (err instanceof BuildCancelled || ctx.signal.aborted) {
    log(`${work} cancelled`);
    await failImage(ctx.store, arn, { kind: 'cancelled', stage, detail: 'Cancelled by the user' });
    return 'cancelled';
  }
  const failure = failureFromError(err, status);
  log(`FAILED: ${failureReason(failure)}`);
  await failImage(ctx.store, arn, failure);
  return 'failed';
}
