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
import { arnOf, readResource } from '../common/access.ts';
import { dropUndefined, nowIso, type ServiceContext, tagsField } from '../common/context.ts';
import { deleteOwned, insertResource, listPage } from '../common/crud.ts';
import { idempotent } from '../common/idempotency.ts';
import { checkParentImage, checkRecipeComponents, recipeVersion } from './recipe-parts.ts';

function dockerfileOf(input: CreateContainerRecipeRequest): string {
  if (input.dockerfileTemplateData !== undefined && input.dockerfileTemplateUri !== undefined) {
    throw new IngotError('InvalidParameterCombinationException', "You can specify either 'dockerfileTemplateData' or 'dockerfileTemplateUri', not both.");
  }
  if (input.dockerfileTemplateData === undefined) {
    throw new IngotError('InvalidRequestException', "Ingot needs the Dockerfile template inline: specify 'dockerfileTemplateData'.");
  }
  return input.dockerfileTemplateData;
}

export function createContainerRecipe(ctx: ServiceContext, input: CreateContainerRecipeRequest): Promise<CreateContainerRecipeResponse> {
  return idempotent(ctx, 'CreateContainerRecipe', input, async () => {
    const dockerfileTemplateData = dockerfileOf(input);
    const version = await recipeVersion(ctx, 'container-recipe', input.name, input.semanticVersion);
    const componentArns = await checkRecipeComponents(ctx, input.components);
    const parent = await checkParentImage(ctx, input.parentImage);
    const arn = arnOf(ctx, 'container-recipe', input.name, version);
    const doc: ContainerRecipe = dropUndefined({
      arn,
      containerType: input.containerType,
      name: input.name,
      description: input.description,
      platform: input.platformOverride ?? (parent.platform as ContainerRecipe['platform']),
      owner: ctx.accountId,
      version,
      components: input.components ?? [],
      instanceConfiguration: input.instanceConfiguration,
      dockerfileTemplateData,
      kmsKeyId: input.kmsKeyId,
      encrypted: true,
      parentImage: input.parentImage,
      dateCreated: nowIso(),
      ...tagsField(input.tags),
      workingDirectory: input.workingDirectory,
      targetRepository: input.targetRepository,
    });
    await insertResource(ctx, { type: 'container-recipe', arn, name: input.name, version, doc, references: [...componentArns, ...(parent.resolvedArn ? [parent.resolvedArn] : [])] });
    return { requestId: ctx.requestId, clientToken: input.clientToken, containerRecipeArn: arn };
  });
}

export async function getContainerRecipe(ctx: ServiceContext, input: GetContainerRecipeRequest): Promise<GetContainerRecipeResponse> {
  const record = await readResource<ContainerRecipe>(ctx, input.containerRecipeArn, 'containerRecipeArn', 'container-recipe');
  return { requestId: ctx.requestId, containerRecipe: record.doc };
}

export async function listContainerRecipes(ctx: ServiceContext, input: ListContainerRecipesRequest): Promise<ListContainerRecipesResponse> {
  const { items, nextToken } = await listPage<ContainerRecipe>(ctx, input, {
    operation: 'ListContainerRecipes',
    type: 'container-recipe',
    filterSpec: { containerType: 'containerType', name: 'name', parentImage: 'parentImage', platform: 'platform' },
  });
  const containerRecipeSummaryList = items.map(({ arn, containerType, name, platform, owner, parentImage, dateCreated, tags }) =>
    dropUndefined({ arn, containerType, name, platform, owner, parentImage, dateCreated, tags }),
  );
  return { requestId: ctx.requestId, containerRecipeSummaryList, ...(nextToken ? { nextToken } : {}) };
}

export async function deleteContainerRecipe(ctx: ServiceContext, input: DeleteContainerRecipeRequest): Promise<DeleteContainerRecipeResponse> {
  await deleteOwned(ctx, input.containerRecipeArn, 'containerRecipeArn', 'container-recipe');
  return { requestId: ctx.requestId, containerRecipeArn: input.containerRecipeArn };
}
