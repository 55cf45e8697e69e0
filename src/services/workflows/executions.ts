/**
 * @module Watching and steering the workflows of image builds: GetWorkflowExecution,
 * ListWorkflowExecutions, GetWorkflowStepExecution, ListWorkflowStepExecutions (timings, inputs,
 * outputs of each step), ListWaitingWorkflowSteps and SendWorkflowStepAction (RESUME or STOP a
 * WaitForAction step). A caller sees only its own account's executions.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  GetWorkflowExecutionRequest,
  GetWorkflowExecutionResponse,
  GetWorkflowStepExecutionRequest,
  GetWorkflowStepExecutionResponse,
  ListWaitingWorkflowStepsRequest,
  ListWaitingWorkflowStepsResponse,
  ListWorkflowExecutionsRequest,
  ListWorkflowExecutionsResponse,
  ListWorkflowStepExecutionsRequest,
  ListWorkflowStepExecutionsResponse,
  SendWorkflowStepActionRequest,
  SendWorkflowStepActionResponse,
  WorkflowExecutionMetadata,
  WorkflowStepMetadata,
} from '../../model/generated/shapes.ts';
import type { WorkflowExecutionRecord, WorkflowStepExecutionRecord } from '../../store/types.ts';
import { ownResource } from '../common/access.ts';
import { dropUndefined, type ServiceContext } from '../common/context.ts';
import { idempotent } from '../common/idempotency.ts';
import { decodeToken, encodeToken, pageSize } from '../common/pagination.ts';

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

const MAX_TIMEOUT_FIELD = 43200;

/** A WAITING step shows as RUNNING: the model's step statuses have no WAITING. */
const apiStatus = (status: string) => (status === 'WAITING' ? 'RUNNING' : status) as WorkflowStepMetadata['status'];

function executionMetadata(r: WorkflowExecutionRecord): WorkflowExecutionMetadata {
  const d = r.doc;
  return dropUndefined({
    workflowBuildVersionArn: r.workflowArn,
    workflowExecutionId: r.id,
    type: d['type'] as WorkflowExecutionMetadata['type'],
    status: r.status as WorkflowExecutionMetadata['status'],
    message: d['message'] as string | undefined,
    totalStepCount: d['totalStepCount'] as number | undefined,
    totalStepsSucceeded: d['totalStepsSucceeded'] as number | undefined,
    totalStepsFailed: d['totalStepsFailed'] as number | undefined,
    totalStepsSkipped: d['totalStepsSkipped'] as number | undefined,
    startTime: d['startTime'] as string | undefined,
    endTime: d['endTime'] as string | undefined,
    parallelGroup: d['parallelGroup'] as string | undefined,
    retried: d['retried'] as boolean | undefined,
  });
}

function stepMetadata(r: WorkflowStepExecutionRecord): WorkflowStepMetadata {
  const d = r.doc;
  return dropUndefined({
    stepExecutionId: r.id,
    name: d['name'] as string | undefined,
    description: d['description'] as string | undefined,
    action: d['action'] as string | undefined,
    status: apiStatus(r.status),
    rollbackStatus: d['rollbackStatus'] as WorkflowStepMetadata['rollbackStatus'],
    message: d['message'] as string | undefined,
    inputs: d['inputs'] as string | undefined,
    outputs: d['outputs'] as string | undefined,
    startTime: d['startTime'] as string | undefined,
    endTime: d['endTime'] as string | undefined,
  });
}

async function ownExecution(ctx: ServiceContext, id: string): Promise<WorkflowExecutionRecord> {
  const r = await ctx.store.workflowExecutions.getExecution(id);
  if (!r || r.account !== ctx.accountId)
    throw new IngotError('ResourceNotFoundException', `The workflow execution '${id}' does not exist.`);
  return r;
}

async function ownStep(ctx: ServiceContext, id: string): Promise<WorkflowStepExecutionRecord> {
  const r = await ctx.store.workflowExecutions.getStep(id);
  if (!r || r.account !== ctx.accountId)
    throw new IngotError('ResourceNotFoundException', `The workflow step execution '${id}' does not exist.`);
  return r;
}

export async function getWorkflowExecution(
  ctx: ServiceContext,
  input: GetWorkflowExecutionRequest,
): Promise<GetWorkflowExecutionResponse> {
  const r = await ownExecution(ctx, input.workflowExecutionId);
  const { retried: _, ...meta } = executionMetadata(r);
  return { requestId: ctx.requestId, imageBuildVersionArn: r.imageArn, ...meta };
}

export async function listWorkflowExecutions(
  ctx: ServiceContext,
  input: ListWorkflowExecutionsRequest,
): Promise<ListWorkflowExecutionsResponse> {
  await ownResource(ctx, input.imageBuildVersionArn, 'imageBuildVersionArn', 'image');
  const all = (await ctx.store.workflowExecutions.executionsOfImage(input.imageBuildVersionArn)).map(executionMetadata);
  const { items, nextToken } = page('ListWorkflowExecutions', all, input);
  return dropUndefined({
    requestId: ctx.requestId,
    workflowExecutions: items,
    imageBuildVersionArn: input.imageBuildVersionArn,
    nextToken,
  });
}

export async function getWorkflowStepExecution(
  ctx: ServiceContext,
  input: GetWorkflowStepExecutionRequest,
): Promise<GetWorkflowStepExecutionResponse> {
  const r = await ownStep(ctx, input.stepExecutionId);
  return dropUndefined({
    requestId: ctx.requestId,
    ...stepMetadata(r),
    workflowBuildVersionArn: r.workflowArn,
    workflowExecutionId: r.executionId,
    imageBuildVersionArn: r.imageArn,
    onFailure: r.doc['onFailure'] as string | undefined,
    // The model caps this field at 12 hours; longer timeouts (WaitForAction, CreateImage) are left out.
    timeoutSeconds:
      Number(r.doc['timeoutSeconds']) <= MAX_TIMEOUT_FIELD ? (r.doc['timeoutSeconds'] as number) : undefined,
  });
}

export async function listWorkflowStepExecutions(
  ctx: ServiceContext,
  input: ListWorkflowStepExecutionsRequest,
): Promise<ListWorkflowStepExecutionsResponse> {
  const execution = await ownExecution(ctx, input.workflowExecutionId);
  const all = (await ctx.store.workflowExecutions.stepsOfExecution(execution.id)).map(stepMetadata);
  const { items, nextToken } = page('ListWorkflowStepExecutions', all, input);
  return dropUndefined({
    requestId: ctx.requestId,
    steps: items,
    workflowBuildVersionArn: execution.workflowArn,
    workflowExecutionId: execution.id,
    imageBuildVersionArn: execution.imageArn,
    nextToken,
  });
}

export async function listWaitingWorkflowSteps(
  ctx: ServiceContext,
  input: ListWaitingWorkflowStepsRequest,
): Promise<ListWaitingWorkflowStepsResponse> {
  const waiting = (await ctx.store.workflowExecutions.stepsInStatus(ctx.accountId, 'WAITING'))
    .filter((r) => !r.doc['actionSent'])
    .map((r) =>
      dropUndefined({
        stepExecutionId: r.id,
        imageBuildVersionArn: r.imageArn,
        workflowExecutionId: r.executionId,
        workflowBuildVersionArn: r.workflowArn,
        name: r.doc['name'] as string | undefined,
        action: r.doc['action'] as string | undefined,
        startTime: r.doc['startTime'] as string | undefined,
      }),
    );
  const { items, nextToken } = page('ListWaitingWorkflowSteps', waiting, input);
  return dropUndefined({ steps: items, nextToken });
}

export function sendWorkflowStepAction(
  ctx: ServiceContext,
  input: SendWorkflowStepActionRequest,
): Promise<SendWorkflowStepActionResponse> {
  return idempotent(ctx, 'SendWorkflowStepAction', input, async () => {
    const step = await ownStep(ctx, input.stepExecutionId);
    if (step.imageArn !== input.imageBuildVersionArn)
      throw new IngotError(
        'InvalidParameterValueException',
        `The step execution '${step.id}' belongs to the image '${step.imageArn}', not '${input.imageBuildVersionArn}'.`,
      );
    if (step.status !== 'WAITING' || step.doc['actionSent'])
      throw new IngotError(
        'InvalidRequestException',
        `The step execution '${step.id}' (${String(step.doc['action'])}) is ${apiStatus(step.status)}, not waiting for an action.`,
      );
    const sent = dropUndefined({ action: input.action, reason: input.reason, at: new Date().toISOString() });
    await ctx.store.workflowExecutions.putStep({ ...step, doc: { ...step.doc, actionSent: sent } });
    return { stepExecutionId: step.id, imageBuildVersionArn: step.imageArn, clientToken: input.clientToken };
  });
}
