/**
 * @module Container recipes: CreateContainerRecipe, GetContainerRecipe, ListContainerRecipes,
 * DeleteContainerRecipe.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  ContainerRecipe,
  CreateContainerRecipeRequest,
  CreateContainerRecipeResponse,
  DeleteContainerRecipeRequest,
  DeleteContainerRecipeResponse,
  GetContainerRecipeRequest,
  GetContainerRecipeResponse,
  ListContainerRecipesRequest,
  ListContainerRecipesResponse,
} from '../../model/generated/shapes.ts';
import { dropUndefined, type ServiceContext, tagsField } from '../common/context.ts';
import { deleteOwned, listPage } from '../common/crud.ts';
import { latestRefs, readWithLatestRefs } from '../common/latest-versions.ts';
import { idempotent } from '../common/idempotency.ts';
import { storeRecipe } from './recipe-parts.ts';

function dockerfileOf(input: CreateContainerRecipeRequest): string {
  if (input.dockerfileTemplateData !== undefined && input.dockerfileTemplateUri !== undefined) {
    throw new IngotError(
      'InvalidParameterCombinationException',
      "You can specify either 'dockerfileTemplateData' or 'dockerfileTemplateUri', not both.",
    );
  }
  if (input.dockerfileTemplateData === undefined) {
    throw new IngotError(
      'InvalidRequestException',
      "Ingot needs the Dockerfile template inline: specify 'dockerfileTemplateData'.",
    );
  }
  return input.dockerfileTemplateData;
}

export function createContainerRecipe(
  ctx: ServiceContext,
  input: CreateContainerRecipeRequest,
): Promise<CreateContainerRecipeResponse> {
  return idempotent(ctx, 'CreateContainerRecipe', input, async () => {
    const dockerfileTemplateData = dockerfileOf(input);
    const arn = await storeRecipe<ContainerRecipe>(ctx, 'container-recipe', input, (b) =>
      dropUndefined({
        ...b,
        containerType: input.containerType,
        name: input.name,
        description: input.description,
        platform: input.platformOverride ?? (b.platform as ContainerRecipe['platform']),
        components: input.components?.length ? input.components : undefined,
        instanceConfiguration: input.instanceConfiguration,
        dockerfileTemplateData,
        kmsKeyId: input.kmsKeyId,
        encrypted: true,
        parentImage: input.parentImage,
        ...tagsField(input.tags),
        workingDirectory: input.workingDirectory,
        targetRepository: input.targetRepository,
      }),
    );
    return {
      requestId: ctx.requestId,
      clientToken: input.clientToken,
      containerRecipeArn: arn,
      ...(await latestRefs(ctx, 'container-recipe', arn)),
    };
  });
}

export async function getContainerRecipe(
  ctx: ServiceContext,
  input: GetContainerRecipeRequest,
): Promise<GetContainerRecipeResponse> {
  const { record, latest } = await readWithLatestRefs<ContainerRecipe>(
    ctx,
    input.containerRecipeArn,
    'containerRecipeArn',
    'container-recipe',
  );
  return { requestId: ctx.requestId, containerRecipe: record.doc, ...latest };
}

export async function listContainerRecipes(
  ctx: ServiceContext,
  input: ListContainerRecipesRequest,
): Promise<ListContainerRecipesResponse> {
  const { items, nextToken } = await listPage<ContainerRecipe>(ctx, input, {
    operation: 'ListContainerRecipes',
    type: 'container-recipe',
    filterSpec: { containerType: 'containerType', name: 'name', parentImage: 'parentImage', platform: 'platform' },
  });
  const containerRecipeSummaryList = items.map(
    ({ arn, containerType, name, platform, owner, parentImage, dateCreated, tags }) =>
      dropUndefined({ arn, containerType, name, platform, owner, parentImage, dateCreated, tags }),
  );
  return { requestId: ctx.requestId, containerRecipeSummaryList, ...(nextToken ? { nextToken } : {}) };
}

export async function deleteContainerRecipe(
  ctx: ServiceContext,
  input: DeleteContainerRecipeRequest,
): Promise<DeleteContainerRecipeResponse> {
  await deleteOwned(ctx, input.containerRecipeArn, 'containerRecipeArn', 'container-recipe');
  return { requestId: ctx.requestId, containerRecipeArn: input.containerRecipeArn };
}
