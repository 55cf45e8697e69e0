/**
 * @module The Get/Put*Policy operations of images, image recipes and container recipes (components
 * keep theirs in services/components), over the shared resource-policy logic.
 */
import type {
  GetContainerRecipePolicyRequest,
  GetContainerRecipePolicyResponse,
  GetImagePolicyRequest,
  GetImagePolicyResponse,
  GetImageRecipePolicyRequest,
  GetImageRecipePolicyResponse,
  PutContainerRecipePolicyRequest,
  PutContainerRecipePolicyResponse,
  PutImagePolicyRequest,
  PutImagePolicyResponse,
  PutImageRecipePolicyRequest,
  PutImageRecipePolicyResponse,
} from '../../model/generated/shapes.ts';
import type { ServiceContext } from '../common/context.ts';
import { getPolicy, putPolicy } from './resource-policies.ts';

export async function getImagePolicy(
  ctx: ServiceContext,
  input: GetImagePolicyRequest,
): Promise<GetImagePolicyResponse> {
  return { requestId: ctx.requestId, policy: await getPolicy(ctx, 'image', input.imageArn, 'imageArn') };
}

export async function putImagePolicy(
  ctx: ServiceContext,
  input: PutImagePolicyRequest,
): Promise<PutImagePolicyResponse> {
  await putPolicy(ctx, 'image', input.imageArn, 'imageArn', input.policy);
  return { requestId: ctx.requestId, imageArn: input.imageArn };
}

export async function getImageRecipePolicy(
  ctx: ServiceContext,
  input: GetImageRecipePolicyRequest,
): Promise<GetImageRecipePolicyResponse> {
  return {
    requestId: ctx.requestId,
    policy: await getPolicy(ctx, 'image-recipe', input.imageRecipeArn, 'imageRecipeArn'),
  };
}

export async function putImageRecipePolicy(
  ctx: ServiceContext,
  input: PutImageRecipePolicyRequest,
): Promise<PutImageRecipePolicyResponse> {
  await putPolicy(ctx, 'image-recipe', input.imageRecipeArn, 'imageRecipeArn', input.policy);
  return { requestId: ctx.requestId, imageRecipeArn: input.imageRecipeArn };
}

export async function getContainerRecipePolicy(
  ctx: ServiceContext,
  input: GetContainerRecipePolicyRequest,
): Promise<GetContainerRecipePolicyResponse> {
  return {
    requestId: ctx.requestId,
    policy: await getPolicy(ctx, 'container-recipe', input.containerRecipeArn, 'containerRecipeArn'),
  };
}

export async function putContainerRecipePolicy(
  ctx: ServiceContext,
  input: PutContainerRecipePolicyRequest,
): Promise<PutContainerRecipePolicyResponse> {
  await putPolicy(ctx, 'container-recipe', input.containerRecipeArn, 'containerRecipeArn', input.policy);
  return { requestId: ctx.requestId, containerRecipeArn: input.containerRecipeArn };
}
