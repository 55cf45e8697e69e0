/**
 * @module Image pipelines: Create, Update, Get, List, Delete, StartImagePipelineExecution and
 * ListImagePipelineImages. A pipeline keeps its recipe and configurations in use (they cannot be
 * deleted while it exists).
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  CreateImagePipelineRequest,
  CreateImagePipelineResponse,
  DeleteImagePipelineRequest,
  DeleteImagePipelineResponse,
  GetImagePipelineRequest,
  GetImagePipelineResponse,
  Image,
  ImagePipeline,
  ListImagePipelineImagesRequest,
  ListImagePipelineImagesResponse,
  ListImagePipelinesRequest,
  ListImagePipelinesResponse,
  StartImagePipelineExecutionRequest,
  StartImagePipelineExecutionResponse,
  UpdateImagePipelineRequest,
  UpdateImagePipelineResponse,
} from '../../model/generated/shapes.ts';
import { arnOf, ownResource, readResource } from '../common/access.ts';
import { dropUndefined, nowIso, type ServiceContext, tagsField } from '../common/context.ts';
import { deleteOwned, insertResource, listPage } from '../common/crud.ts';
import { idempotent } from '../common/idempotency.ts';
import { imageSummaryOf } from '../images/images.ts';
import { queueImage } from '../images/queue-image.ts';
import { checkSchedule } from './schedule.ts';

type PipelineSettings = Omit<UpdateImagePipelineRequest, 'imagePipelineArn' | 'clientToken'>;

/** Checks the pipeline's recipe and configurations exist; returns the ARNs it will keep in use. */
async function checkSettings(
  ctx: ServiceContext,
  s: PipelineSettings,
): Promise<{ references: string[]; platform: string }> {
  if ((s.imageRecipeArn === undefined) === (s.containerRecipeArn === undefined)) {
    throw new IngotError(
      'InvalidParameterCombinationException',
      "Specify exactly one of 'imageRecipeArn' and 'containerRecipeArn'.",
    );
  }
  const recipe =
    s.imageRecipeArn !== undefined
      ? await readResource<{ platform?: string }>(ctx, s.imageRecipeArn, 'imageRecipeArn', 'image-recipe')
      : await readResource<{ platform?: string }>(ctx, s.containerRecipeArn!, 'containerRecipeArn', 'container-recipe');
  const infra = await readResource(
    ctx,
    s.infrastructureConfigurationArn,
    'infrastructureConfigurationArn',
    'infrastructure-configuration',
  );
  const dist =
    s.distributionConfigurationArn === undefined
      ? undefined
      : await readResource(
          ctx,
          s.distributionConfigurationArn,
          'distributionConfigurationArn',
          'distribution-configuration',
        );
  if (s.schedule) checkSchedule(s.schedule);
  return { references: [recipe.arn, infra.arn, ...(dist ? [dist.arn] : [])], platform: recipe.doc.platform ?? 'Linux' };
}

function settingsOf(s: PipelineSettings): Partial<ImagePipeline> {
  const {
    description,
    imageRecipeArn,
    containerRecipeArn,
    infrastructureConfigurationArn,
    distributionConfigurationArn,
    imageTestsConfiguration,
    enhancedImageMetadataEnabled,
    schedule,
    imageScanningConfiguration,
    imageTags,
    executionRole,
    workflows,
    loggingConfiguration,
  } = s;
  return dropUndefined({
    description,
    imageRecipeArn,
    containerRecipeArn,
    infrastructureConfigurationArn,
    distributionConfigurationArn,
    imageTestsConfiguration: imageTestsConfiguration ?? { imageTestsEnabled: true, timeoutMinutes: 720 },
    enhancedImageMetadataEnabled: enhancedImageMetadataEnabled ?? true,
    schedule,
    status: s.status ?? 'ENABLED',
    imageScanningConfiguration,
    imageTags,
    executionRole,
    workflows,
    loggingConfiguration,
  });
}

export function createImagePipeline(
  ctx: ServiceContext,
  input: CreateImagePipelineRequest,
): Promise<CreateImagePipelineResponse> {
  return idempotent(ctx, 'CreateImagePipeline', input, async () => {
    const { references, platform } = await checkSettings(ctx, input);
    const arn = arnOf(ctx, 'image-pipeline', input.name);
    const now = nowIso();
    const doc: ImagePipeline = {
      arn,
      name: input.name,
      platform: platform as ImagePipeline['platform'],
      ...settingsOf(input),
      dateCreated: now,
      dateUpdated: now,
      ...tagsField(input.tags),
    };
    await insertResource(ctx, { type: 'image-pipeline', arn, name: input.name, doc, references });
    return { requestId: ctx.requestId, clientToken: input.clientToken, imagePipelineArn: arn };
  });
}

export function updateImagePipeline(
  ctx: ServiceContext,
  input: UpdateImagePipelineRequest,
): Promise<UpdateImagePipelineResponse> {
  return idempotent(ctx, 'UpdateImagePipeline', input, async () => {
    const arn = input.imagePipelineArn;
    const record = await ownResource<ImagePipeline>(ctx, arn, 'imagePipelineArn', 'image-pipeline');
    const { references, platform } = await checkSettings(ctx, input);
    const { name, dateCreated, tags, dateLastRun, lastRunStatus, consecutiveFailures } = record.doc;
    // Re-enabling a pipeline (e.g. after auto-disable) starts its failure count again.
    const reEnabled = record.doc.status === 'DISABLED' && (input.status ?? 'ENABLED') === 'ENABLED';
    const doc: ImagePipeline = dropUndefined({
      arn,
      name,
      platform: platform as ImagePipeline['platform'],
      ...settingsOf(input),
      dateCreated,
      dateUpdated: nowIso(),
      dateLastRun,
      lastRunStatus,
      consecutiveFailures: reEnabled ? 0 : consecutiveFailures,
      tags,
    });
    await ctx.store.transaction(async () => {
      await ctx.store.resources.update(arn, doc);
      await ctx.store.resources.setReferences(arn, references);
      // A changed schedule is computed again from now by the scheduler (its fingerprint is kept).
      const state = await ctx.store.schedules.get(arn);
      if (state && JSON.stringify(record.doc.schedule ?? {}) !== JSON.stringify(input.schedule ?? {}))
        await ctx.store.schedules.put({ ...state, nextRun: null });
    });
    return { requestId: ctx.requestId, clientToken: input.clientToken, imagePipelineArn: arn };
  });
}

export async function getImagePipeline(
  ctx: ServiceContext,
  input: GetImagePipelineRequest,
): Promise<GetImagePipelineResponse> {
  const record = await readResource<ImagePipeline>(ctx, input.imagePipelineArn, 'imagePipelineArn', 'image-pipeline');
  return { requestId: ctx.requestId, imagePipeline: record.doc };
}

const PIPELINE_FILTERS = {
  description: 'description',
  distributionConfigurationArn: 'distributionConfigurationArn',
  imageRecipeArn: 'imageRecipeArn',
  infrastructureConfigurationArn: 'infrastructureConfigurationArn',
  name: 'name',
  status: 'status',
} as const;

export async function listImagePipelines(
  ctx: ServiceContext,
  input: ListImagePipelinesRequest,
): Promise<ListImagePipelinesResponse> {
  const { items, nextToken } = await listPage<ImagePipeline>(ctx, input, {
    operation: 'ListImagePipelines',
    type: 'image-pipeline',
    filterSpec: PIPELINE_FILTERS,
  });
  return { requestId: ctx.requestId, imagePipelineList: items, ...(nextToken ? { nextToken } : {}) };
}

export async function deleteImagePipeline(
  ctx: ServiceContext,
  input: DeleteImagePipelineRequest,
): Promise<DeleteImagePipelineResponse> {
  await deleteOwned(ctx, input.imagePipelineArn, 'imagePipelineArn', 'image-pipeline');
  await ctx.store.schedules.delete(input.imagePipelineArn);
  return { requestId: ctx.requestId, imagePipelineArn: input.imagePipelineArn };
}

/** Queues a build of the pipeline's current configuration (works whatever the pipeline's schedule). */
export async function runPipeline(
  ctx: ServiceContext,
  pipeline: ImagePipeline,
  buildType: 'USER_INITIATED' | 'SCHEDULED',
  tags?: Record<string, string>,
): Promise<string> {
  return queueImage(ctx, {
    imageRecipeArn: pipeline.imageRecipeArn,
    containerRecipeArn: pipeline.containerRecipeArn,
    infrastructureConfigurationArn: pipeline.infrastructureConfigurationArn!,
    distributionConfigurationArn: pipeline.distributionConfigurationArn,
    imageTestsConfiguration: pipeline.imageTestsConfiguration,
    enhancedImageMetadataEnabled: pipeline.enhancedImageMetadataEnabled,
    imageScanningConfiguration: pipeline.imageScanningConfiguration,
    workflows: pipeline.workflows,
    executionRole: pipeline.executionRole,
    logGroupName: pipeline.loggingConfiguration?.imageLogGroupName,
    tags: { ...(pipeline.imageTags ?? {}), ...(tags ?? {}) },
    buildType,
    pipeline: { arn: pipeline.arn!, name: pipeline.name! },
  });
}

export function startImagePipelineExecution(
  ctx: ServiceContext,
  input: StartImagePipelineExecutionRequest,
): Promise<StartImagePipelineExecutionResponse> {
  return idempotent(ctx, 'StartImagePipelineExecution', input, async () => {
    const record = await readResource<ImagePipeline>(ctx, input.imagePipelineArn, 'imagePipelineArn', 'image-pipeline');
    const arn = await runPipeline(ctx, record.doc, 'USER_INITIATED', input.tags);
    await ctx.store.resources.update(record.arn, { ...record.doc, dateLastRun: nowIso() });
    return { requestId: ctx.requestId, clientToken: input.clientToken, imageBuildVersionArn: arn };
  });
}

export async function listImagePipelineImages(
  ctx: ServiceContext,
  input: ListImagePipelineImagesRequest,
): Promise<ListImagePipelineImagesResponse> {
  const pipeline = await readResource<ImagePipeline>(ctx, input.imagePipelineArn, 'imagePipelineArn', 'image-pipeline');
  const { items, nextToken } = await listPage<Image>(ctx, input, {
    operation: 'ListImagePipelineImages',
    type: 'image',
    filterSpec: { name: 'name', version: 'version' },
    scope: { accounts: [pipeline.account], alsoArns: [] },
    where: [{ path: 'sourcePipelineArn', values: [pipeline.arn] }],
  });
  return { requestId: ctx.requestId, imageSummaryList: items.map(imageSummaryOf), ...(nextToken ? { nextToken } : {}) };
}
