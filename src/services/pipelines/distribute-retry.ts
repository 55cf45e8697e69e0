/**
 * @module DistributeImage and RetryImage: both queue a job for an existing image instead of a new
 * build. DistributeImage copies an AVAILABLE image's outputs to another distribution
 * configuration's regions (no rebuild); RetryImage runs a FAILED or CANCELLED image again — only
 * its distribution when the build itself had finished, the whole build otherwise.
 */
import { randomUUID } from 'node:crypto';
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
import { BUILD_JOB_KIND } from '../../queue/job-kinds.ts';
import { ownResource, readResource } from '../common/access.ts';
import type { ServiceContext } from '../common/context.ts';
import { idempotent } from '../common/idempotency.ts';

async function requeue(
  ctx: ServiceContext,
  arn: string,
  image: Image,
  status: 'PENDING' | 'DISTRIBUTING',
  payload: Record<string, unknown>,
): Promise<void> {
  await ctx.store.transaction(async () => {
    const active = (await ctx.store.jobs.byResource(arn)).filter((j) => j.state === 'queued' || j.state === 'running');
    if (active.length)
      throw new IngotError(
        'ResourceInUseException',
        `The image '${arn}' already has a ${active[0]!.state} job; wait for it to end.`,
      );
    await ctx.store.resources.update(arn, { ...image, state: { status } });
    await ctx.store.jobs.enqueue({
      id: randomUUID(),
      kind: BUILD_JOB_KIND,
      resourceArn: arn,
      payload: { accountId: ctx.accountId, region: ctx.region, ...payload },
    });
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
    await requeue(ctx, record.arn, image, 'DISTRIBUTING', {
      mode: 'distribute',
      distributions: dist.doc.distributions ?? [],
    });
    return { clientToken: input.clientToken, imageBuildVersionArn: record.arn };
  });
}

export function retryImage(ctx: ServiceContext, input: RetryImageRequest): Promise<RetryImageResponse> {
  return idempotent(ctx, 'RetryImage', input, async () => {
    const record = await ownResource<Image>(ctx, input.imageBuildVersionArn, 'imageBuildVersionArn', 'image');
    const status = record.doc.state?.status;
    if (status !== 'FAILED' && status !== 'CANCELLED') {
      throw new IngotError(
        'ResourceInUseException',
        `The image '${input.imageBuildVersionArn}' is ${status ?? 'in no state'}; only FAILED or CANCELLED images can be retried.`,
      );
    }
    const distributionFailed = status === 'FAILED' && (record.doc.state?.reason ?? '').startsWith('Distribution to ');
    await requeue(
      ctx,
      record.arn,
      record.doc,
      'PENDING',
      distributionFailed ? { mode: 'distribute', retry: true } : {},
    );
    return { clientToken: input.clientToken, imageBuildVersionArn: record.arn };
  });
}
