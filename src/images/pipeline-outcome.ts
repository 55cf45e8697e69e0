/**
 * @module After an image of a pipeline ends (AVAILABLE, FAILED, CANCELLED): the pipeline's
 * `lastRunStatus`, and for scheduled builds `consecutiveFailures`, which disables the pipeline
 * when it reaches `schedule.autoDisablePolicy.failureCount`. Called by the worker when a build
 * ends and by CancelImageCreation (in its transaction) when the user cancels a PENDING or running
 * image; a cancelled scheduled build neither counts as a failure nor resets the count.
 */
import type { Image, ImagePipeline, ImageStatus } from '../model/generated/shapes.ts';
import type { Store } from '../store/types.ts';

export async function recordPipelineOutcome(store: Store, image: Image, status: ImageStatus): Promise<void> {
  const arn = image.sourcePipelineArn;
  if (!arn) return;
  await store.transaction(async () => {
    const record = await store.resources.get<ImagePipeline>(arn);
    if (!record) return;
    const doc: ImagePipeline = { ...record.doc, lastRunStatus: status };
    if (image.buildType === 'SCHEDULED' && status !== 'CANCELLED') {
      doc.consecutiveFailures = status === 'FAILED' ? (record.doc.consecutiveFailures ?? 0) + 1 : 0;
      const limit = record.doc.schedule?.autoDisablePolicy?.failureCount;
      if (limit !== undefined && limit > 0 && doc.consecutiveFailures >= limit) doc.status = 'DISABLED';
    }
    await store.resources.update(arn, doc);
  });
}
