/**
 * @module Lifecycle policies: Create, Get, List, Update, Delete. Rules are checked at create time
 * (COUNT takes no unit; AGE needs one; at most one rule per action).
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  CreateLifecyclePolicyRequest,
  CreateLifecyclePolicyResponse,
  DeleteLifecyclePolicyRequest,
  DeleteLifecyclePolicyResponse,
  GetLifecyclePolicyRequest,
  GetLifecyclePolicyResponse,
  LifecyclePolicy,
  LifecyclePolicySummary,
  ListLifecyclePoliciesRequest,
  ListLifecyclePoliciesResponse,
  UpdateLifecyclePolicyRequest,
  UpdateLifecyclePolicyResponse,
} from '../../model/generated/shapes.ts';
import { arnOf, ownResource, readResource } from '../common/access.ts';
import { dropUndefined, nowIso, type ServiceContext, tagsField } from '../common/context.ts';
import { deleteOwned, insertResource, listPage } from '../common/crud.ts';
import { idempotent } from '../common/idempotency.ts';

type Rules = Pick<CreateLifecyclePolicyRequest, 'policyDetails' | 'resourceSelection' | 'resourceType'>;

function checkRules(r: Rules): void {
  const seen = new Set<string>();
  r.policyDetails.forEach((d, i) => {
    const at = `policyDetails[${i}]`;
    if (seen.has(d.action.type))
      throw new IngotError(
        'InvalidParameterValueException',
        `${at}.action.type: a policy has at most one rule per action; ${d.action.type} appears twice.`,
      );
    seen.add(d.action.type);
    if (d.filter.type === 'COUNT' && (d.filter.unit !== undefined || d.filter.retainAtLeast !== undefined)) {
      throw new IngotError(
        'InvalidParameterValueException',
        `${at}.filter: a COUNT filter takes no 'unit' or 'retainAtLeast' (it keeps the newest 'value' images).`,
      );
    }
    if (d.filter.type === 'AGE' && d.filter.unit === undefined) {
      throw new IngotError(
        'InvalidParameterValueException',
        `${at}.filter.unit: an AGE filter needs a unit (DAYS, WEEKS, MONTHS or YEARS).`,
      );
    }
    if (r.resourceType === 'CONTAINER_IMAGE' && d.exclusionRules?.amis) {
      throw new IngotError(
        'InvalidParameterCombinationException',
        `${at}.exclusionRules.amis: AMI exclusion rules do not apply to CONTAINER_IMAGE policies.`,
      );
    }
  });
  const sel = r.resourceSelection;
  const hasRecipes = (sel.recipes?.length ?? 0) > 0;
  const hasTags = Object.keys(sel.tagMap ?? {}).length > 0;
  if (hasRecipes === hasTags)
    throw new IngotError(
      'InvalidParameterCombinationException',
      "resourceSelection: specify exactly one of 'recipes' and 'tagMap'.",
    );
}

export function createLifecyclePolicy(
  ctx: ServiceContext,
  input: CreateLifecyclePolicyRequest,
): Promise<CreateLifecyclePolicyResponse> {
  return idempotent(ctx, 'CreateLifecyclePolicy', input, async () => {
    checkRules(input);
    const arn = arnOf(ctx, 'lifecycle-policy', input.name);
    const { name, description, executionRole, resourceType, policyDetails, resourceSelection } = input;
    const doc = dropUndefined({
      arn,
      name,
      description,
      status: input.status ?? 'ENABLED',
      executionRole,
      resourceType,
      policyDetails,
      resourceSelection,
      dateCreated: nowIso(),
      ...tagsField(input.tags),
    });
    await insertResource(ctx, { type: 'lifecycle-policy', arn, name, doc });
    return { clientToken: input.clientToken, lifecyclePolicyArn: arn };
  });
}

export function updateLifecyclePolicy(
  ctx: ServiceContext,
  input: UpdateLifecyclePolicyRequest,
): Promise<UpdateLifecyclePolicyResponse> {
  return idempotent(ctx, 'UpdateLifecyclePolicy', input, async () => {
    const arn = input.lifecyclePolicyArn;
    const record = await ownResource<LifecyclePolicy>(ctx, arn, 'lifecyclePolicyArn', 'lifecycle-policy');
    checkRules(input);
    const { description, executionRole, resourceType, policyDetails, resourceSelection } = input;
    const doc = dropUndefined({
      ...record.doc,
      description,
      status: input.status ?? record.doc.status,
      executionRole,
      resourceType,
      policyDetails,
      resourceSelection,
      dateUpdated: nowIso(),
    });
    await ctx.store.resources.update(arn, doc);
    return { lifecyclePolicyArn: arn };
  });
}

export async function getLifecyclePolicy(
  ctx: ServiceContext,
  input: GetLifecyclePolicyRequest,
): Promise<GetLifecyclePolicyResponse> {
  const record = await readResource<LifecyclePolicy>(
    ctx,
    input.lifecyclePolicyArn,
    'lifecyclePolicyArn',
    'lifecycle-policy',
  );
  return { lifecyclePolicy: record.doc };
}

export async function listLifecyclePolicies(
  ctx: ServiceContext,
  input: ListLifecyclePoliciesRequest,
): Promise<ListLifecyclePoliciesResponse> {
  const { items, nextToken } = await listPage<LifecyclePolicy>(ctx, input, {
    operation: 'ListLifecyclePolicies',
    type: 'lifecycle-policy',
    filterSpec: { name: 'name', status: 'status', Name: 'name', Status: 'status' },
  });
  const lifecyclePolicySummaryList: LifecyclePolicySummary[] = items.map(
    ({ arn, name, description, status, executionRole, resourceType, dateCreated, dateUpdated, dateLastRun, tags }) =>
      dropUndefined({
        arn,
        name,
        description,
        status,
        executionRole,
        resourceType,
        dateCreated,
        dateUpdated,
        dateLastRun,
        tags,
      }),
  );
  return { lifecyclePolicySummaryList, ...(nextToken ? { nextToken } : {}) };
}

export async function deleteLifecyclePolicy(
  ctx: ServiceContext,
  input: DeleteLifecyclePolicyRequest,
): Promise<DeleteLifecyclePolicyResponse> {
  await deleteOwned(ctx, input.lifecyclePolicyArn, 'lifecyclePolicyArn', 'lifecycle-policy');
  await ctx.store.schedules.delete(input.lifecyclePolicyArn);
  return { lifecyclePolicyArn: input.lifecyclePolicyArn };
}
