/**
 * @module Who may see what: the caller's own resources, managed (account `aws`) ones, and those
 * shared with the caller by a resource policy. Also resolves version ARNs and `x` wildcards to a
 * concrete build.
 */
import { formatArn, parseArn, type ParsedArn } from '../../arn/arn.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import type { ResourceRecord, ResourceType } from '../../store/types.ts';
import { isWildcard, newestMatching } from '../../versions/semver.ts';
import { MANAGED_COMPONENTS } from '../../toe/managed/index.ts';
import { absentManagedComponent, publishedVersions } from '../../toe/managed/published.ts';
import { MANAGED_ACCOUNT, type ServiceContext } from './context.ts';

const LABELS: Record<ResourceType, string> = {
  component: 'Component',
  'image-recipe': 'ImageRecipe',
  'container-recipe': 'ContainerRecipe',
  'infrastructure-configuration': 'InfrastructureConfiguration',
  'distribution-configuration': 'DistributionConfiguration',
  'image-pipeline': 'ImagePipeline',
  image: 'Image',
  'lifecycle-policy': 'LifecyclePolicy',
  workflow: 'Workflow',
};

export const labelOf = (type: ResourceType): string => LABELS[type];

export function notFoundError(type: ResourceType, arn: string): IngotError {
  return new IngotError('ResourceNotFoundException', `The resource ${LABELS[type]} with ARN '${arn}' does not exist.`);
}

/** Checks an ARN the caller passed: right type, this region, an account the caller may use. */
export function checkArn(
  ctx: ServiceContext,
  arn: string,
  field: string,
  type: ResourceType | readonly ResourceType[],
): ParsedArn {
  const parsed = parseArn(arn, field, type);
  if (parsed.region !== ctx.region) {
    throw new IngotError(
      'InvalidParameterValueException',
      `The ARN in '${field}' is for region '${parsed.region}', but the request was signed for region '${ctx.region}': '${arn}'.`,
    );
  }
  return parsed;
}

async function mayRead(ctx: ServiceContext, record: ResourceRecord<unknown>): Promise<boolean> {
  if (record.account === ctx.accountId || record.account === MANAGED_ACCOUNT) return true;
  return ctx.store.shares.isSharedWith(record.arn, ctx.accountId);
}

/**
 * Loads the resource named by `arn` for reading. A version ARN (no build) or one with `x`
 * wildcards resolves to the newest matching build the caller may use.
 */
export async function readResource<Doc>(
  ctx: ServiceContext,
  arn: string,
  field: string,
  type: ResourceType,
): Promise<ResourceRecord<Doc>> {
  const parsed = checkArn(ctx, arn, field, type);
  const hasBuilds = type === 'component' || type === 'image';
  const resolve =
    parsed.version !== undefined && (isWildcard(parsed.version) || (hasBuilds && parsed.build === undefined));
  let record: ResourceRecord<Doc> | undefined;
  if (resolve) {
    const candidates = await ctx.store.resources.versions(type, [parsed.account], ctx.region, parsed.name);
    const best = newestMatching(candidates, parsed.version!);
    record = best ? await ctx.store.resources.get<Doc>(best.arn) : undefined;
  } else {
    record = await ctx.store.resources.get<Doc>(arn);
  }
  if (!record && parsed.account === MANAGED_ACCOUNT && type === 'component') throw managedComponentMissing(parsed, arn);
  if (!record || !(await mayRead(ctx, record))) throw notFoundError(type, arn);
  return record;
}

/** A managed component ARN that resolves to nothing: a version AWS never published, or a component Ingot lacks. */
function managedComponentMissing(parsed: ParsedArn, arn: string): IngotError {
  const offered = MANAGED_COMPONENTS.map((c) => c.name);
  if (offered.includes(parsed.name)) {
    return new IngotError(
      'ResourceNotFoundException',
      `The managed component '${parsed.name}' has no version matching '${parsed.version}' (${arn}); the published versions are ${publishedVersions(parsed.name).join(', ')} (x.x.x takes the newest).`,
    );
  }
  return new IngotError('ResourceNotFoundException', absentManagedComponent(parsed.name, offered));
}

/** Loads a resource the caller owns, for changing or deleting it. */
export async function ownResource<Doc>(
  ctx: ServiceContext,
  arn: string,
  field: string,
  type: ResourceType,
): Promise<ResourceRecord<Doc>> {
  const parsed = checkArn(ctx, arn, field, type);
  if (parsed.account !== ctx.accountId) {
    throw new IngotError(
      'ForbiddenException',
      `You can only change resources of your own account (${ctx.accountId}); '${arn}' belongs to '${parsed.account}'.`,
    );
  }
  const record = await ctx.store.resources.get<Doc>(arn);
  if (!record) throw notFoundError(type, arn);
  return record;
}

/** Accounts (and shared ARNs) a list call with this `owner` may return. */
export async function ownerScope(
  ctx: ServiceContext,
  owner: string | undefined,
  type: ResourceType,
): Promise<{ accounts: string[]; alsoArns: string[] }> {
  switch (owner ?? 'Self') {
    case 'Self':
      return { accounts: [ctx.accountId], alsoArns: [] };
    case 'Amazon':
      return { accounts: [MANAGED_ACCOUNT], alsoArns: [] };
    case 'Shared':
      return { accounts: [], alsoArns: await ctx.store.shares.sharedWith(ctx.accountId, type, ctx.region) };
    default: // ThirdParty, AWSMarketplace: Ingot has no marketplace
      return { accounts: [], alsoArns: [] };
  }
}

export function arnOf(ctx: ServiceContext, type: ResourceType, name: string, version?: string, build?: number): string {
  return formatArn({
    region: ctx.region,
    account: ctx.accountId,
    type,
    name,
    ...(version !== undefined ? { version } : {}),
    ...(build !== undefined ? { build } : {}),
  });
}

/**
 * The scope of a List*BuildVersions call for the version ARN in `field`: the ARN's own account
 * when it is the caller's or the managed one, otherwise only what is shared with the caller.
 */
export async function buildVersionsScope(
  ctx: ServiceContext,
  arn: string,
  field: string,
  type: ResourceType,
): Promise<{ parsed: ParsedArn; scope: { accounts: string[]; alsoArns: string[] } }> {
  const parsed = checkArn(ctx, arn, field, type);
  const scope =
    parsed.account === ctx.accountId || parsed.account === MANAGED_ACCOUNT
      ? { accounts: [parsed.account], alsoArns: [] }
      : await ownerScope(ctx, 'Shared', type);
  return { parsed, scope };
}
