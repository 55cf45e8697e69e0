/**
 * @module Image recipes: CreateImageRecipe, GetImageRecipe, ListImageRecipes, DeleteImageRecipe.
 */
import type {
  CreateImageRecipeRequest,
  CreateImageRecipeResponse,
  DeleteImageRecipeRequest,
  DeleteImageRecipeResponse,
  GetImageRecipeRequest,
  GetImageRecipeResponse,
  ImageRecipe,
  ListImageRecipesRequest,
  ListImageRecipesResponse,
} from '../../model/generated/shapes.ts';
import { checkIngotTags } from '../../config/tags.ts';
import { dropUndefined, type ServiceContext, tagsField } from '../common/context.ts';
import { deleteOwned, listPage } from '../common/crud.ts';
import { latestRefs, readWithLatestRefs } from '../common/latest-versions.ts';
import { idempotent } from '../common/idempotency.ts';
import { storeRecipe } from './recipe-parts.ts';

export function createImageRecipe(
  ctx: ServiceContext,
  input: CreateImageRecipeRequest,
): Promise<CreateImageRecipeResponse> {
  checkIngotTags('image recipe', input.tags);
  return idempotent(ctx, 'CreateImageRecipe', input, async () => {
    const arn = await storeRecipe<ImageRecipe>(ctx, 'image-recipe', input, (b) =>
      dropUndefined({
        ...b,
        type: 'AMI',
        name: input.name,
        description: input.description,
        platform: b.platform as ImageRecipe['platform'],
        components: input.components?.length ? input.components : undefined,
        parentImage: input.parentImage,
        blockDeviceMappings: input.blockDeviceMappings,
        ...tagsField(input.tags),
        workingDirectory: input.workingDirectory,
        additionalInstanceConfiguration: input.additionalInstanceConfiguration,
        amiTags: input.amiTags,
        amiWatermarks: input.amiWatermarks,
      }),
    );
    return {
      requestId: ctx.requestId,
      clientToken: input.clientToken,
      imageRecipeArn: arn,
      ...(await latestRefs(ctx, 'image-recipe', arn)),
    };
  });
}

export async function getImageRecipe(
  ctx: ServiceContext,
  input: GetImageRecipeRequest,
): Promise<GetImageRecipeResponse> {
  const { record, latest } = await readWithLatestRefs<ImageRecipe>(
    ctx,
    input.imageRecipeArn,
    'imageRecipeArn',
    'image-recipe',
  );
  return { requestId: ctx.requestId, imageRecipe: record.doc, ...latest };
}

export async function listImageRecipes(
  ctx: ServiceContext,
  input: ListImageRecipesRequest,
): Promise<ListImageRecipesResponse> {
  const { items, nextToken } = await listPage<ImageRecipe>(ctx, input, {
    operation: 'ListImageRecipes',
    type: 'image-recipe',
    filterSpec: { name: 'name', parentImage: 'parentImage', platform: 'platform' },
  });
  const imageRecipeSummaryList = items.map(({ arn, name, platform, owner, parentImage, dateCreated, tags }) =>
    dropUndefined({ arn, name, platform, owner, parentImage, dateCreated, tags }),
  );
  return { requestId: ctx.requestId, imageRecipeSummaryList, ...(nextToken ? { nextToken } : {}) };
}

export async function deleteImageRecipe(
  ctx: ServiceContext,
  input: DeleteImageRecipeRequest,
): Promise<DeleteImageRecipeResponse> {
  await deleteOwned(ctx, input.imageRecipeArn, 'imageRecipeArn', 'image-recipe');
  return { requestId: ctx.requestId, imageRecipeArn: input.imageRecipeArn };
}
