/**
 * @module Resource policies (Get/Put ComponentPolicy, ImagePolicy, ImageRecipePolicy,
 * ContainerRecipePolicy): an IAM-style JSON document whose Allow statements name the accounts a
 * resource is shared with. Shared resources are readable by those accounts (`owner=Shared` lists,
 * parentImage, recipe components); Ingot's only action is sharing, so the statements' actions are
 * not interpreted.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type { ResourceType } from '../../store/types.ts';
import { ownResource } from '../common/access.ts';
import type { ServiceContext } from '../common/context.ts';

/** Longest policy the model allows (ResourcePolicyDocument). */
const MAX_POLICY = 30000;

/** Account ids granted by the Allow statements of an IAM-style resource policy. */
export function principalAccounts(policyText: string): string[] {
  if (policyText.length > MAX_POLICY)
    throw new IngotError('InvalidParameterValueException', `The policy is longer than ${MAX_POLICY} characters.`);
  let policy: unknown;
  try {
    policy = JSON.parse(policyText);
  } catch {
    throw new IngotError(
      'InvalidParameterValueException',
      "The value supplied for parameter 'policy' is not valid JSON.",
    );
  }
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy))
    throw new IngotError('InvalidParameterValueException', 'The policy must be a JSON object with a Statement.');
  const statements = (policy as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  if (!list.length)
    throw new IngotError('InvalidParameterValueException', "The policy must have at least one 'Statement'.");
  const accounts = new Set<string>();
  for (const s of list as { Effect?: string; Principal?: unknown }[]) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
      throw new IngotError('InvalidParameterValueException', "Every policy statement needs 'Effect': Allow or Deny.");
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

/** The label AWS's messages use for each shareable type. */
const NOUN: Partial<Record<ResourceType, string>> = {
  component: 'component',
  image: 'image',
  'image-recipe': 'image recipe',
  'container-recipe': 'container recipe',
};

/** The policy of a resource the caller owns; ResourceNotFoundException when it has none. */
export async function getPolicy(ctx: ServiceContext, type: ResourceType, arn: string, field: string): Promise<string> {
  await ownResource(ctx, arn, field, type);
  const policy = await ctx.store.shares.getPolicy(arn);
  if (policy === undefined)
    throw new IngotError('ResourceNotFoundException', `The ${NOUN[type] ?? type} '${arn}' has no resource policy.`);
  return policy;
}

/** Replaces the policy (and so the accounts the resource is shared with) of a resource the caller owns. */
export async function putPolicy(
  ctx: ServiceContext,
  type: ResourceType,
  arn: string,
  field: string,
  policy: string,
): Promise<void> {
  await ownResource(ctx, arn, field, type);
  await ctx.store.shares.setShares(arn, principalAccounts(policy), policy);
}
