/**
 * @module DeleteComponent (refused while a recipe uses the build) and the component resource
 * policy (Get/PutComponentPolicy), which shares a component with other accounts.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  DeleteComponentRequest,
  DeleteComponentResponse,
  GetComponentPolicyRequest,
  GetComponentPolicyResponse,
  PutComponentPolicyRequest,
  PutComponentPolicyResponse,
} from '../../model/generated/shapes.ts';
import { ownResource } from '../common/access.ts';
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
  await ownResource(ctx, input.componentArn, 'componentArn', 'component');
  const policy = await ctx.store.shares.getPolicy(input.componentArn);
  if (policy === undefined)
    throw new IngotError('ResourceNotFoundException', `The component '${input.componentArn}' has no resource policy.`);
  return { requestId: ctx.requestId, policy };
}

export async function putComponentPolicy(
  ctx: ServiceContext,
  input: PutComponentPolicyRequest,
): Promise<PutComponentPolicyResponse> {
  await ownResource(ctx, input.componentArn, 'componentArn', 'component');
  const accounts = principalAccounts(input.policy);
  await ctx.store.shares.setShares(input.componentArn, accounts, input.policy);
  return { requestId: ctx.requestId, componentArn: input.componentArn };
}

/** Account ids granted by the Allow statements of an IAM-style resource policy. */
export function principalAccounts(policyText: string): string[] {
  let policy: unknown;
  try {
    policy = JSON.parse(policyText);
  } catch {
    throw new IngotError(
      'InvalidParameterValueException',
      "The value supplied for parameter 'policy' is not valid JSON.",
    );
  }
  const statements = (policy as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  if (!list.length)
    throw new IngotError('InvalidParameterValueException', "The policy must have at least one 'Statement'.");
  const accounts = new Set<string>();
  for (const s of list as { Effect?: string; Principal?: unknown }[]) {
    if (s.Effect !== 'Allow') continue;
    const principal = s.Principal === '*' ? ['*'] : (s.Principal as { AWS?: unknown } | undefined)?.AWS;
    for (const p of Array.isArray(principal) ? principal : principal ? [principal] : []) {
      const m = /^(?:arn:aws[^:]*:iam::)?([0-9]{12}|\*)(?::root)?$/.exec(String(p));
      if (!m)
        throw new IngotError(
          'InvalidParameterValueException',
          `The policy principal '${String(p)}' is not an account id or account root ARN.`,
        );
      accounts.add(m[1]!);
    }
  }
  return [...accounts];
}
