/**
 * @module DistributeImage and RetryImage: both queue a job for an existing image instead of a new
 * build. DistributeImage copies an AVAILABLE image's outputs to another distribution
 * configuration's regions (no rebuild); RetryImage runs a FAILED or CANCELLED image again — only
 * its distribution when the build itself had finished, the whole build otherwise. An image built on
 * a build host has its outputs in that host's data directory, which no worker of the control plane
 * reads: RetryImage builds it again (on a build host), DistributeImage refuses it saying so.
 */
import { builtOnBuildHost } from '../../artifacts/image-documents.ts';
import { parseArn } from '../../arn/arn.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  DistributeImageRequest,
  DistributeImageResponse,
  DistributionConfiguration,
  Image,
  RetryImageRequest,
  RetryImageResponse,
} from '../../model/generated/shapes.ts';
import { assertTransition } from '../../images/image-states.ts';
import { failureOf, type StoredImage } from '../../images/image-failure.ts';
import { IMPORT_BUILD_TYPE, type JobKind, type JobPayloads } from '../../queue/job-kinds.ts';
import { enqueueJob } from '../../queue/queue.ts';
import { ownResource, readResource } from '../common/access.ts';
import type { ServiceContext } from '../common/context.ts';
import { idempotent } from '../common/idempotency.ts';

async function requeue<K extends JobKind>(
  ctx: ServiceContext,
  arn: string,
  image: StoredImage,
  status: 'PENDING' | 'DISTRIBUTING',
  kind: K,
  extra: Omit<JobPayloads[K], 'accountId' | 'region'>,
): Promise<void> {
  await ctx.store.transaction(async () => {
    const active = (await ctx.store.jobs.byResource(arn)).filter((j) => j.state === 'queued' || j.state === 'running');
    if (active.length)
      throw new IngotError(
        'ResourceInUseException',
        `The image '${arn}' already has a ${active[0]!.state} job; wait for it to end.`,
      );
    assertTransition(image.state?.status, status, arn);
    const { failure: _previous, ...doc } = image;
    await ctx.store.resources.update(arn, { ...doc, state: { status } });
    await enqueueJob(ctx.store.jobs, {
      kind,
      resourceArn: arn,
      payload: { accountId: ctx.accountId, region: ctx.region, ...extra },
    } as Parameters<typeof enqueueJob>[1]);
  });
  ctx.notifyQueued?.();
}

export function distributeImage(ctx: ServiceContext, input: DistributeImageRequest): Promise<DistributeImageResponse> {
  return idempotent(ctx, 'DistributeImage', input, async () => {
    // A version ARN (no build number) names the newest build of that version, as in AWS.
    const own = parseArn(input.sourceImage, 'sourceImage', 'image').account === ctx.accountId;
    const source = own
      ? (await readResource<Image>(ctx, input.sourceImage, 'sourceImage', 'image')).arn
      : input.sourceImage;
    const record = await ownResource<Image>(ctx, source, 'sourceImage', 'image');
    if (await builtOnBuildHost(ctx.store, record.arn))
      throw new IngotError(
        'InvalidRequestException',
        `The image '${record.arn}' was built on a build host (ingot worker --control-plane): its outputs are in that host's data directory, which distribution-only jobs cannot read. Build it again with this distribution configuration instead (docs/deploy.md).`,
      );
    if (record.doc.state?.status !== 'AVAILABLE') {
      throw new IngotError(
        'ResourceInUseException',
        `The image '${input.sourceImage}' is ${record.doc.state?.status ?? 'in no state'}; only AVAILABLE images can be distributed.`,
      );
    }
    const dist = await readResource<DistributionConfiguration>(
      ctx,
      input.distributionConfigurationArn,
      'distributionConfigurationArn',
      'distribution-configuration',
    );
    const image = { ...record.doc, ...(input.tags ? { tags: { ...(record.doc.tags ?? {}), ...input.tags } } : {}) };
    await requeue(ctx, record.arn, image, 'DISTRIBUTING', 'image-distribute', {
      distributions: dist.doc.distributions ?? [],
    });
    return { clientToken: input.clientToken, imageBuildVersionArn: record.arn };
  });
}

export function retryImage(ctx: ServiceContext, input: RetryImageRequest): Promise<RetryImageResponse> {
  return idempotent(ctx, 'RetryImage', input, async () => {
    const record = await ownResource<StoredImage>(ctx, input.imageBuildVersionArn, 'imageBuildVersionArn', 'image');
    const status = record.doc.state?.status;
    if (status !== 'FAILED' && status !== 'CANCELLED') {
      throw new IngotError(
        'ResourceInUseException',
        `The image '${input.imageBuildVersionArn}' is ${status ?? 'in no state'}; only FAILED or CANCELLED images can be retried.`,
      );
    }
    // Only the distribution again when that is what failed (and the outputs are on the control plane's
    // data directory: a build host's image is built again); an imported image imports its disk again.
    const kind: JobKind =
      status === 'FAILED' &&
      failureOf(record.doc)?.kind === 'distribution' &&
      !(await builtOnBuildHost(ctx.store, record.arn))
        ? 'image-distribute'
        : record.doc.buildType === IMPORT_BUILD_TYPE
          ? 'image-import'
          : 'image-build';
    await requeue(ctx, record.arn, record.doc, 'PENDING', kind, {});
    return { clientToken: input.clientToken, imageBuildVersionArn: record.arn };
  });
}
