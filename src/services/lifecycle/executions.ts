/**
 * @module Lifecycle executions: GetLifecycleExecution, ListLifecycleExecutions,
 * ListLifecycleExecutionResources, and StartResourceStateUpdate (an ad-hoc lifecycle action on
 * one image, applied now and recorded as an execution).
 */
import { parseArn } from '../../arn/arn.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import { canTransition } from '../../images/image-states.ts';
import type { LifecycleDeps } from '../../lifecycle/apply.ts';
import { execute } from '../../lifecycle/run.ts';
import type {
  CancelLifecycleExecutionRequest,
  CancelLifecycleExecutionResponse,
  GetLifecycleExecutionRequest,
  GetLifecycleExecutionResponse,
  Image,
  LifecycleExecution,
  LifecycleExecutionResource,
  LifecycleExecutionResourceActionName,
  LifecycleExecutionState,
  ListLifecycleExecutionResourcesRequest,
  ListLifecycleExecutionResourcesResponse,
  ListLifecycleExecutionsRequest,
  ListLifecycleExecutionsResponse,
  ResourceStatus,
  StartResourceStateUpdateRequest,
  StartResourceStateUpdateResponse,
} from '../../model/generated/shapes.ts';
import type { LifecycleExecutionRecord } from '../../store/types.ts';
import { ownResource } from '../common/access.ts';
import type { ServiceContext } from '../common/context.ts';
import { idempotent } from '../common/idempotency.ts';
import { decodeToken, encodeToken, pageSize } from '../common/pagination.ts';

async function ownExecution(ctx: ServiceContext, id: string): Promise<LifecycleExecutionRecord> {
  const record = await ctx.store.lifecycleExecutions.get(id);
  const account = record?.policyArn.split(':')[4];
  if (!record || account !== ctx.accountId)
    throw new IngotError('ResourceNotFoundException', `The lifecycle execution '${id}' does not exist.`);
  return record;
}

export async function getLifecycleExecution(
  ctx: ServiceContext,
  input: GetLifecycleExecutionRequest,
): Promise<GetLifecycleExecutionResponse> {
  return { lifecycleExecution: (await ownExecution(ctx, input.lifecycleExecutionId)).doc as LifecycleExecution };
}

function page<T>(
  operation: string,
  items: readonly T[],
  req: { maxResults?: number | undefined; nextToken?: string | undefined },
): { items: T[]; nextToken?: string } {
  const start = Number(decodeToken(operation, req.nextToken) ?? 0);
  const size = pageSize(req.maxResults);
  const more = start + size < items.length;
  const nextToken = more ? encodeToken(operation, String(start + size)) : undefined;
  return { items: items.slice(start, start + size), ...(nextToken ? { nextToken } : {}) };
}

export async function listLifecycleExecutions(
  ctx: ServiceContext,
  input: ListLifecycleExecutionsRequest,
): Promise<ListLifecycleExecutionsResponse> {
  const parsed = parseArn(input.resourceArn, 'resourceArn');
  if (parsed.account !== ctx.accountId) return { lifecycleExecutions: [] };
  const all = (await ctx.store.lifecycleExecutions.byResource(input.resourceArn)).map(
    (r) => r.doc as LifecycleExecution,
  );
  const { items, nextToken } = page('ListLifecycleExecutions', all, input);
  return { lifecycleExecutions: items, ...(nextToken ? { nextToken } : {}) };
}

export async function listLifecycleExecutionResources(
  ctx: ServiceContext,
  input: ListLifecycleExecutionResourcesRequest,
): Promise<ListLifecycleExecutionResourcesResponse> {
  const record = await ownExecution(ctx, input.lifecycleExecutionId);
  const all = (await ctx.store.lifecycleExecutions.resources(record.id)) as LifecycleExecutionResource[];
  const wanted =
    input.parentResourceId === undefined ? all : all.filter((r) => r.resourceId === input.parentResourceId);
  const { items, nextToken } = page('ListLifecycleExecutionResources', wanted, input);
  return {
    lifecycleExecutionId: record.id,
    lifecycleExecutionState: record.doc['state'] as LifecycleExecutionState,
    resources: items,
    ...(nextToken ? { nextToken } : {}),
  };
}

const ACTION_OF: Record<ResourceStatus, LifecycleExecutionResourceActionName> = {
  AVAILABLE: 'AVAILABLE',
  DEPRECATED: 'DEPRECATE',
  DISABLED: 'DISABLE',
  DELETED: 'DELETE',
};

export function startResourceStateUpdate(
  ctx: ServiceContext,
  input: StartResourceStateUpdateRequest,
  deps: LifecycleDeps,
): Promise<StartResourceStateUpdateResponse> {
  return idempotent(ctx, 'StartResourceStateUpdate', input, async () => {
    const record = await ownResource<Image>(ctx, input.resourceArn, 'resourceArn', 'image');
    const target = input.state.status;
    if (!target)
      throw new IngotError(
        'InvalidParameterValueException',
        'state.status: give the new state (AVAILABLE, DEPRECATED, DISABLED or DELETED).',
      );
    const status = record.doc.state?.status ?? 'PENDING';
    if (!canTransition(status, target)) {
      throw new IngotError(
        'ResourceInUseException',
        `The image '${input.resourceArn}' is ${status}; only AVAILABLE, DEPRECATED or DISABLED images change state (FAILED and CANCELLED ones can only become DELETED).`,
      );
    }
    if (input.updateAt !== undefined && new Date(input.updateAt).getTime() > Date.now() + 60_000) {
      throw new IngotError(
        'InvalidParameterValueException',
        'updateAt: Ingot applies state updates immediately; omit updateAt or give a time that has passed.',
      );
    }
    const ex = input.exclusionRules?.amis;
    const spared =
      Object.entries(ex?.tagMap ?? {}).some(([k, v]) => record.doc.tags?.[k] === v) ||
      (record.doc.outputResources?.amis ?? []).some(
        (a) => a.region !== undefined && (ex?.regions ?? []).includes(a.region),
      );
    const steps = spared
      ? []
      : [{ image: record, action: ACTION_OF[target], reason: `StartResourceStateUpdate to ${target}` }];
    const lifecycleExecutionId = await execute(deps, record.arn, steps, false);
    return { lifecycleExecutionId, resourceArn: record.arn };
  });
}

/**
 * CancelLifecycleExecution: an execution IN_PROGRESS (or PENDING) becomes CANCELLING; the resource
 * actions it has not begun are skipped and it ends CANCELLED. A finished one cannot be cancelled.
 */
export async function cancelLifecycleExecution(
  ctx: ServiceContext,
  input: CancelLifecycleExecutionRequest,
): Promise<CancelLifecycleExecutionResponse> {
  return idempotent(ctx, 'CancelLifecycleExecution', input, async () => {
    const record = await ownExecution(ctx, input.lifecycleExecutionId);
    const state = (record.doc as LifecycleExecution).state;
    if (state?.status !== 'IN_PROGRESS' && state?.status !== 'PENDING' && state?.status !== 'CANCELLING')
      throw new IngotError(
        'InvalidRequestException',
        `The lifecycle execution '${record.id}' is ${state?.status ?? 'unknown'}: only an execution IN_PROGRESS can be cancelled.`,
      );
    const resources = await ctx.store.lifecycleExecutions.resources(record.id);
    await ctx.store.lifecycleExecutions.put(
      { ...record, doc: { ...record.doc, state: { status: 'CANCELLING', reason: 'cancel requested' } } },
      resources,
    );
    return { lifecycleExecutionId: record.id };
  });
}
