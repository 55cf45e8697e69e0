/**
 * @module The worker's writes of an image's state: each one checked against the image state table,
 * a cancel always winning, a failure stored as its structured value with the reason derived from
 * it, and the pipeline told when a run ends.
 */
import { failureReason, type ImageFailure, type StoredImage } from '../images/image-failure.ts';
import { assertTransition, endsRun } from '../images/image-states.ts';
import { recordPipelineOutcome } from '../images/pipeline-outcome.ts';
import type { ImageStatus } from '../model/generated/shapes.ts';
import type { Store } from '../store/types.ts';

/**
 * Moves the image to `status` unless it was cancelled meanwhile (a cancel always wins); false then.
 * An illegal transition throws (IngotError). Any stored failure is cleared.
 */
export async function setState(
  store: Store,
  arn: string,
  status: ImageStatus,
  reason?: string,
  extra: Partial<StoredImage> = {},
): Promise<boolean> {
  const changed = await store.transaction(async () => {
    const record = await store.resources.get<StoredImage>(arn);
    if (!record || record.doc.state?.status === 'CANCELLED') return undefined;
    assertTransition(record.doc.state?.status, status, arn);
    const { failure: _old, ...rest } = record.doc;
    const doc: StoredImage = { ...rest, ...extra, state: reason ? { status, reason } : { status } };
    await store.resources.update(arn, doc);
    return doc;
  });
  if (changed && endsRun(status)) await recordPipelineOutcome(store, changed, status);
  return changed !== undefined;
}

/**
 * Ends the image FAILED (or CANCELLED) with its structured failure; the reason is derived from it.
 * `target` is the store, or any writer of image states (a build host's goes through the worker API).
 */
export function failImage(
  target: Store | { setImageState: SetImageStateFn },
  arn: string,
  failure: ImageFailure,
  status: 'FAILED' | 'CANCELLED' = failure.kind === 'cancelled' ? 'CANCELLED' : 'FAILED',
): Promise<boolean> {
  const extra = { failure };
  return 'setImageState' in target
    ? target.setImageState(arn, status, failureReason(failure), extra)
    : setState(target, arn, status, failureReason(failure), extra);
}

type SetImageStateFn = (
  arn: string,
  status: ImageStatus,
  reason?: string,
  extra?: Partial<StoredImage>,
) => Promise<boolean>;
