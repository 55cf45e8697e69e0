/**
 * @module Images: CreateImage, GetImage, ListImages, ListImageBuildVersions, DeleteImage,
 * CancelImageCreation.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  CancelImageCreationRequest,
  CancelImageCreationResponse,
  CreateImageRequest,
  CreateImageResponse,
  DeleteImageRequest,
  DeleteImageResponse,
  GetImageRequest,
  GetImageResponse,
  Image,
  ImageSummary,
  ImageVersion,
  ListImageBuildVersionsRequest,
  ListImageBuildVersionsResponse,
  ListImagesRequest,
  ListImagesResponse,
} from '../../model/generated/shapes.ts';
import { buildVersionsScope, ownResource } from '../common/access.ts';
import { dropUndefined, nowIso, type ServiceContext } from '../common/context.ts';
import { deleteOwned, listPage } from '../common/crud.ts';
import { latestRefs, readWithLatestRefs } from '../common/latest-versions.ts';
import { idempotent } from '../common/idempotency.ts';
import { queueImage } from './queue-image.ts';
import { recordPipelineOutcome } from '../../images/pipeline-outcome.ts';
import {
  failureReason,
  type ImageFailure,
  publicImage,
  stageOf,
  type StoredImage,
} from '../../images/image-failure.ts';
import { canTransition, isInProgress, LISTED_BY_DEFAULT } from '../../images/image-states.ts';

const IMAGE_FILTERS = { name: 'name', osVersion: 'osVersion', platform: 'platform', type: 'type' } as const;

export function createImage(ctx: ServiceContext, input: CreateImageRequest): Promise<CreateImageResponse> {
  return idempotent(ctx, 'CreateImage', input, async () => {
    const { loggingConfiguration, ...rest } = input;
    const arn = await queueImage(ctx, {
      ...rest,
      logGroupName: loggingConfiguration?.logGroupName,
      buildType: 'USER_INITIATED',
    });
    return {
      requestId: ctx.requestId,
      clientToken: input.clientToken,
      imageBuildVersionArn: arn,
      ...(await latestRefs(ctx, 'image', arn)),
    };
  });
}

export async function getImage(ctx: ServiceContext, input: GetImageRequest): Promise<GetImageResponse> {
  const { record, latest } = await readWithLatestRefs<StoredImage>(
    ctx,
    input.imageBuildVersionArn,
    'imageBuildVersionArn',
    'image',
  );
  return { requestId: ctx.requestId, image: publicImage(record.doc), ...latest };
}

export function imageVersionOf(i: Image & { owner?: string }): ImageVersion {
  const { arn, name, type, platform, osVersion, owner, dateCreated, buildType, imageSource } = i;
  return dropUndefined({
    arn: arn?.replace(/\/[0-9]+$/, ''),
    name,
    type,
    version: i.version,
    platform,
    osVersion,
    owner: owner ?? ownerOf(arn),
    dateCreated,
    buildType,
    imageSource,
  });
}

export function imageSummaryOf(i: Image): ImageSummary {
  const {
    arn,
    name,
    type,
    version,
    platform,
    osVersion,
    state,
    dateCreated,
    outputResources,
    tags,
    buildType,
    imageSource,
    deprecationTime,
    lifecycleExecutionId,
  } = i;
  return dropUndefined({
    arn,
    name,
    type,
    version,
    platform,
    osVersion,
    state,
    owner: ownerOf(arn),
    dateCreated,
    outputResources,
    tags,
    buildType,
    imageSource,
    deprecationTime,
    lifecycleExecutionId,
  });
}

const ownerOf = (arn: string | undefined): string | undefined => {
  const account = arn?.split(':')[4];
  return account === 'aws' ? 'Amazon' : account;
};

export async function listImages(ctx: ServiceContext, input: ListImagesRequest): Promise<ListImagesResponse> {
  const where = input.includeDeprecated ? [] : [{ path: 'state.status', values: [...LISTED_BY_DEFAULT] }];
  const { items, nextToken } = await listPage<Image, ImageVersion>(ctx, input, {
    operation: 'ListImages',
    type: 'image',
    filterSpec: IMAGE_FILTERS,
    latestBuildOnly: true,
    where,
    item: imageVersionOf,
  });
  return { requestId: ctx.requestId, imageVersionList: items, ...(nextToken ? { nextToken } : {}) };
}

export async function listImageBuildVersions(
  ctx: ServiceContext,
  input: ListImageBuildVersionsRequest,
): Promise<ListImageBuildVersionsResponse> {
  const { parsed, scope } = await buildVersionsScope(ctx, input.imageVersionArn ?? '', 'imageVersionArn', 'image');
  const { items, nextToken } = await listPage<Image, ImageSummary>(ctx, input, {
    operation: 'ListImageBuildVersions',
    type: 'image',
    filterSpec: IMAGE_FILTERS,
    scope,
    name: parsed.name,
    ...(parsed.version !== undefined && !parsed.version.includes('x') ? { version: parsed.version } : {}),
    item: imageSummaryOf,
  });
  return { requestId: ctx.requestId, imageSummaryList: items, ...(nextToken ? { nextToken } : {}) };
}

export async function deleteImage(ctx: ServiceContext, input: DeleteImageRequest): Promise<DeleteImageResponse> {
  const record = await ownResource<Image>(ctx, input.imageBuildVersionArn, 'imageBuildVersionArn', 'image');
  const status = record.doc.state?.status;
  if (isInProgress(status)) {
    throw new IngotError(
      'ResourceDependencyException',
      `The image '${input.imageBuildVersionArn}' is ${status}; cancel it with CancelImageCreation before deleting it.`,
    );
  }
  await deleteOwned(ctx, input.imageBuildVersionArn, 'imageBuildVersionArn', 'image');
  await ctx.store.imageDocuments.deleteOfImage(input.imageBuildVersionArn);
  await ctx.store.buildLogs.deleteOfImage(input.imageBuildVersionArn);
  return { requestId: ctx.requestId, imageBuildVersionArn: input.imageBuildVersionArn };
}

export function cancelImageCreation(
  ctx: ServiceContext,
  input: CancelImageCreationRequest,
): Promise<CancelImageCreationResponse> {
  return idempotent(ctx, 'CancelImageCreation', input, async () => {
    const arn = input.imageBuildVersionArn;
    await ctx.store.transaction(async () => {
      const record = await ownResource<StoredImage>(ctx, arn, 'imageBuildVersionArn', 'image');
      const status = record.doc.state?.status;
      if (!status || !canTransition(status, 'CANCELLED')) {
        throw new IngotError(
          'ResourceInUseException',
          `The image '${arn}' is ${status ?? 'in no state'} and can no longer be cancelled.`,
        );
      }
      for (const job of await ctx.store.jobs.byResource(arn))
        await ctx.store.jobs.cancel(job.id, 'Cancelled by CancelImageCreation');
      const failure: ImageFailure = {
        kind: 'cancelled',
        stage: stageOf(status),
        detail: `Cancelled by the user at ${nowIso()}`,
      };
      const doc: StoredImage = {
        ...record.doc,
        state: { status: 'CANCELLED', reason: failureReason(failure) },
        failure,
      };
      await ctx.store.resources.update(arn, doc);
      // The pipeline records the run here: the worker's own end of an aborted build changes nothing once the image is CANCELLED.
      await recordPipelineOutcome(ctx.store, doc, 'CANCELLED');
    });
    return { requestId: ctx.requestId, clientToken: input.clientToken, imageBuildVersionArn: arn };
  });
}
