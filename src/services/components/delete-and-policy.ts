/**
 * @module DeleteComponent (refused while a recipe uses the build) and the component resource
 * policy (Get/PutComponentPolicy), which shares a component with other accounts.
 */
import type {
  DeleteComponentRequest,
  DeleteComponentResponse,
  GetComponentPolicyRequest,
  GetComponentPolicyResponse,
  PutComponentPolicyRequest,
  PutComponentPolicyResponse,
} from '../../model/generated/shapes.ts';
import { getPolicy, putPolicy } from '../policies/resource-policies.ts';
import { deleteOwned } from '../common/crud.ts';
import type { ServiceContext } from '../common/context.ts';

export async function deleteComponent(
  ctx: ServiceContext,
  input: DeleteComponentRequest,
): Promise<DeleteComponentResponse> {
  await deleteOwned(ctx, input.componentBuildVersionArn, 'componentBuildVersionArn', 'component');
  return { requestId: ctx.requestId, componentBuildVersionArn: input.componentBuildVersionArn };
}

export async function getComponentPolicy(
  ctx: ServiceContext,
  input: GetComponentPolicyRequest,
): Promise<GetComponentPolicyResponse> {
  return { requestId: ctx.requestId, policy: await getPolicy(ctx, 'component', input.componentArn, 'componentArn') };
}

export async function putComponentPolicy(
  ctx: ServiceContext,
  input: PutComponentPolicyRequest,
): Promise<PutComponentPolicyResponse> {
  await putPolicy(ctx, 'component', input.componentArn, 'componentArn', input.policy);
  return { requestId: ctx.requestId, componentArn: input.componentArn };
}
