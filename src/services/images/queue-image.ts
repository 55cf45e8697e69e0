/**
 * @module Creates an image build: resolves its recipe and configurations, gives it the next build
 * number of (recipe name, recipe version), stores it PENDING and queues a build job. Shared by
 * CreateImage and StartImagePipelineExecution (and the scheduler).
 */
import { enqueueJob } from '../../queue/queue.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  BuildType,
  ContainerRecipe,
  DistributionConfiguration,
  Image,
  ImageRecipe,
  ImageTestsConfiguration,
  InfrastructureConfiguration,
  ImageScanningConfiguration,
  WorkflowConfiguration,
} from '../../model/generated/shapes.ts';
import { arnOf, readResource } from '../common/access.ts';
import { dropUndefined, nowIso, type ServiceContext, tagsField } from '../common/context.ts';
import { arnName } from '../../arn/arn.ts';

export interface ImageRequest {
  imageRecipeArn?: string | undefined;
  containerRecipeArn?: string | undefined;
  infrastructureConfigurationArn: string;
  distributionConfigurationArn?: string | undefined;
  imageTestsConfiguration?: ImageTestsConfiguration | undefined;
  enhancedImageMetadataEnabled?: boolean | undefined;
  imageScanningConfiguration?: ImageScanningConfiguration | undefined;
  workflows?: WorkflowConfiguration[] | undefined;
  executionRole?: string | undefined;
  /** The image's log group (a pipeline's `imageLogGroupName` becomes the image's `logGroupName`). */
  logGroupName?: string | undefined;
  tags?: Record<string, string> | undefined;
  buildType: BuildType;
  pipeline?: { arn: string; name: string } | undefined;
}

async function recipeOf(
  ctx: ServiceContext,
  r: ImageRequest,
): Promise<{ image?: ImageRecipe; container?: ContainerRecipe }> {
  if ((r.imageRecipeArn === undefined) === (r.containerRecipeArn === undefined)) {
    throw new IngotError(
      'InvalidParameterCombinationException',
      "Specify exactly one of 'imageRecipeArn' and 'containerRecipeArn'.",
    );
  }
  if (r.imageRecipeArn !== undefined)
    return { image: (await readResource<ImageRecipe>(ctx, r.imageRecipeArn, 'imageRecipeArn', 'image-recipe')).doc };
  return {
    container: (
      await readResource<ContainerRecipe>(ctx, r.containerRecipeArn!, 'containerRecipeArn', 'container-recipe')
    ).doc,
  };
}

export async function queueImage(ctx: ServiceContext, r: ImageRequest): Promise<string> {
  const recipe = await recipeOf(ctx, r);
  const infra = (
    await readResource<InfrastructureConfiguration>(
      ctx,
      r.infrastructureConfigurationArn,
      'infrastructureConfigurationArn',
      'infrastructure-configuration',
    )
  ).doc;
  const dist =
    r.distributionConfigurationArn === undefined
      ? undefined
      : (
          await readResource<DistributionConfiguration>(
            ctx,
            r.distributionConfigurationArn,
            'distributionConfigurationArn',
            'distribution-configuration',
          )
        ).doc;
  const source = (recipe.image ?? recipe.container)!;
  const name = source.name!;
  const version = source.version!;
  const queued = await ctx.store.transaction(async () => {
    const build = (await ctx.store.resources.maxBuild('image', ctx.accountId, ctx.region, arnName(name), version)) + 1;
    const arn = arnOf(ctx, 'image', name, version, build);
    const now = nowIso();
    const doc: Image = dropUndefined({
      arn,
      type: recipe.image ? 'AMI' : 'DOCKER',
      name,
      version,
      platform: source.platform ?? 'Linux',
      enhancedImageMetadataEnabled: r.enhancedImageMetadataEnabled ?? true,
      state: { status: 'PENDING' },
      imageRecipe: recipe.image,
      containerRecipe: recipe.container,
      sourcePipelineName: r.pipeline?.name,
      sourcePipelineArn: r.pipeline?.arn,
      infrastructureConfiguration: infra,
      distributionConfiguration: dist,
      imageTestsConfiguration: {
        imageTestsEnabled: r.imageTestsConfiguration?.imageTestsEnabled ?? true,
        timeoutMinutes: r.imageTestsConfiguration?.timeoutMinutes ?? 720,
      },
      dateCreated: now,
      outputResources: {},
      imageScanningConfiguration: r.imageScanningConfiguration,
      workflows: r.workflows,
      executionRole: r.executionRole,
      loggingConfiguration: r.logGroupName !== undefined ? { logGroupName: r.logGroupName } : undefined,
      ...tagsField(r.tags),
      buildType: r.buildType,
      imageSource: 'CUSTOM',
    });
    await ctx.store.resources.insert({
      arn,
      type: 'image',
      account: ctx.accountId,
      region: ctx.region,
      name: arnName(name),
      version,
      build,
      doc,
      createdAt: now,
      updatedAt: now,
    });
    await enqueueJob(ctx.store.jobs, {
      kind: 'image-build',
      resourceArn: arn,
      payload: { accountId: ctx.accountId, region: ctx.region },
    });
    return arn;
  });
  // After the commit: a claim woken before it could not see the job.
  ctx.notifyQueued?.();
  return queued;
}
