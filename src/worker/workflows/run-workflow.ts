/**
 * @module Runs one workflow document of an image build and records it: the workflow execution
 * (`wf-…`) and each step execution (`step-…`) with resolved inputs, outputs, status, times and
 * rollback status. Steps run in order; `if` false skips a step; a failed step with onFailure
 * Continue lets the rest run, with Abort it fails the workflow, rolls back the steps that ran
 * (newest first) and cancels the rest. Each step has its timeoutSeconds.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BuildCancelled } from '../../engine/failure.ts';
import type { WorkflowStepExecutionRecord } from '../../store/types.ts';
import type { JobStore } from '../job-store.ts';
import { evaluateCondition, resolveInputs, readPath, type WorkflowScope } from '../../workflows/expressions.ts';
import type { WorkflowStep } from '../../workflows/document.ts';
import type { PlannedWorkflow } from './plan.ts';
import { type ActionContext, runAction, StepFailed } from './step-actions.ts';

export interface WorkflowRun {
  store: Pick<JobStore, 'workflowExecutions'>;
  imageArn: string;
  account: string;
  signal: AbortSignal;
  actions: Omit<ActionContext, 'waitForAction'>;
  /** Outputs of the workflows that already ran ($.workflowOutputs). */
  workflowOutputs: Record<string, unknown>;
  imagebuilder: Record<string, unknown>;
  /** This run is a RetryImage of an earlier one. */
  retried?: boolean;
}

/** A workflow failed: the step, its action and its message. */
export class WorkflowFailed extends Error {
  readonly workflowType: string;
  readonly step: string;
  readonly detail: string;
  constructor(workflow: PlannedWorkflow, step: WorkflowStep, message: string, cause: unknown) {
    super(`workflow step '${step.name}' (${step.action}) failed: ${message}`, { cause });
    this.name = 'WorkflowFailed';
    this.workflowType = workflow.type;
    this.step = step.name;
    this.detail = message;
  }
}

/** Actions whose rollback Ingot does (the instance they started is stopped with its stage). */
const ROLLBACK = new Set(['LaunchInstance']);
const POLL_MS = 250;

export async function runWorkflow(w: PlannedWorkflow, run: WorkflowRun): Promise<void> {
  const id = `wf-${randomUUID()}`;
  const startedAt = new Date().toISOString();
  const counts = { totalStepsSucceeded: 0, totalStepsFailed: 0, totalStepsSkipped: 0 };
  const base = { imageArn: run.imageArn, workflowArn: w.arn, account: run.account, startedAt };
  const putExecution = (status: string, message?: string) =>
    run.store.workflowExecutions.putExecution({
      ...base,
      id,
      status,
      doc: {
        type: w.type,
        totalStepCount: w.document.steps.length,
        ...counts,
        startTime: startedAt,
        ...(status === 'RUNNING' ? {} : { endTime: new Date().toISOString() }),
        ...(message ? { message } : {}),
        ...(w.parallelGroup ? { parallelGroup: w.parallelGroup } : {}),
        retried: run.retried === true,
      },
    });
  await putExecution('RUNNING');
  const scope: WorkflowScope = {
    parameters: w.parameters,
    stepOutputs: {},
    workflowOutputs: run.workflowOutputs,
    imagebuilder: {
      ...run.imagebuilder,
      workflowPhase: w.type === 'BUILD' ? 'Build' : w.type === 'TEST' ? 'Test' : 'Distribution',
    },
  };
  const ran: WorkflowStepExecutionRecord[] = [];
  let failure: WorkflowFailed | undefined;
  for (const [seq, step] of w.document.steps.entries()) {
    const stepBase = { ...base, id: `step-${randomUUID()}`, executionId: id, seq };
    const meta = {
      name: step.name,
      action: step.action,
      ...(step.description ? { description: step.description } : {}),
      onFailure: step.onFailure,
      timeoutSeconds: step.timeoutSeconds,
      attemptNumber: 1,
      maxAttempts: 1,
    };
    const put = (status: string, doc: Record<string, unknown>) => {
      const rec = {
        ...stepBase,
        startedAt: String(doc['startTime'] ?? new Date().toISOString()),
        status,
        doc: { ...meta, ...doc },
      };
      return run.store.workflowExecutions.putStep(rec).then(() => rec);
    };
    const now = () => new Date().toISOString();
    if (failure) {
      await put('CANCELLED', {
        startTime: now(),
        endTime: now(),
        rollbackStatus: 'SKIPPED',
        message: 'an earlier step failed',
      });
      continue;
    }
    if (step.if !== undefined && !evaluateCondition(step.if, scope)) {
      counts.totalStepsSkipped++;
      const t = now();
      await put('SKIPPED', { startTime: t, endTime: t, message: 'its if condition is false' });
      continue;
    }
    const startTime = now();
    let inputs: Record<string, unknown> = {};
    try {
      inputs = resolveInputs(step.inputs, scope);
      await put('RUNNING', { startTime, inputs: JSON.stringify(inputs) });
      run.actions.log(`workflow ${w.type} step ${step.name} (${step.action}) started`);
      const outputs = await withTimeout(step, (stop) =>
        runAction(
          step.action,
          inputs,
          { ...run.actions, waitForAction: () => waitForAction(run, stop, stepBase.id, put, startTime, inputs) },
          w.type,
        ),
      );
      scope.stepOutputs[step.name] = outputs;
      counts.totalStepsSucceeded++;
      ran.push(
        await put('COMPLETED', {
          startTime,
          endTime: now(),
          inputs: JSON.stringify(inputs),
          outputs: JSON.stringify(outputs),
        }),
      );
      run.actions.log(`workflow ${w.type} step ${step.name} (${step.action}) completed`);
    } catch (err) {
      const cancelled = err instanceof BuildCancelled || run.signal.aborted;
      const message = err instanceof Error ? err.message : String(err);
      counts.totalStepsFailed++;
      await put(cancelled ? 'CANCELLED' : 'FAILED', {
        startTime,
        endTime: now(),
        inputs: JSON.stringify(inputs),
        outputs: JSON.stringify({ errorMessage: message }),
        message,
      });
      run.actions.log(
        `workflow ${w.type} step ${step.name} (${step.action}) ${cancelled ? 'cancelled' : `failed: ${message}`}`,
      );
      if (cancelled) {
        await putExecution('CANCELLED', 'the image was cancelled');
        throw err;
      }
      if (step.onFailure === 'Continue') continue;
      failure = new WorkflowFailed(w, step, message, err);
    }
  }
  if (failure) {
    await putExecution('ROLLBACK_IN_PROGRESS', failure.message);
    for (const r of ran.reverse())
      await run.store.workflowExecutions.putStep({
        ...r,
        doc: { ...r.doc, rollbackStatus: ROLLBACK.has(String(r.doc['action'])) ? 'COMPLETED' : 'SKIPPED' },
      });
    await putExecution('FAILED', failure.message);
    throw failure;
  }
  for (const o of w.document.outputs) run.workflowOutputs[o.name] = readPath(scope, o.value);
  await putExecution('COMPLETED');
}

/** Runs a step within its timeoutSeconds; `stop` aborts when the time is up (a waiting step ends). */
async function withTimeout<T>(step: WorkflowStep, fn: (stop: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new StepFailed(`the step did not finish within its timeoutSeconds (${step.timeoutSeconds})`);
      stop.abort(err);
      reject(err);
    }, step.timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([fn(stop.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A WaitForAction step: WAITING until SendWorkflowStepAction records an action on it. */
async function waitForAction(
  run: WorkflowRun,
  stop: AbortSignal,
  stepId: string,
  put: (status: string, doc: Record<string, unknown>) => Promise<unknown>,
  startTime: string,
  inputs: Record<string, unknown>,
): Promise<{ action: string; reason: string }> {
  await put('WAITING', {
    startTime,
    inputs: JSON.stringify(inputs),
    message: 'waiting for SendWorkflowStepAction (RESUME or STOP)',
  });
  run.actions.log(
    `waiting for an action on step ${stepId}: aws imagebuilder send-workflow-step-action --step-execution-id ${stepId} --image-build-version-arn ${run.imageArn} --action RESUME`,
  );
  const signal = AbortSignal.any([run.signal, stop]);
  for (;;) {
    if (run.signal.aborted) throw new BuildCancelled();
    if (stop.aborted) throw stop.reason;
    const rec = await run.store.workflowExecutions.getStep(stepId);
    const sent = rec?.doc['actionSent'] as { action: string; reason?: string } | undefined;
    if (sent) return { action: sent.action, reason: sent.reason ?? '' };
    await sleep(POLL_MS, undefined, { signal }).catch(() => {});
  }
}

/**
 * Executions of an earlier run of this image that never ended (the worker stopped): FAILED, with
 * their unfinished steps, so nothing shows RUNNING or waits for an action that no one awaits.
 */
export async function settleStaleExecutions(
  store: Pick<JobStore, 'workflowExecutions'>,
  imageArn: string,
): Promise<void> {
  const message = 'the worker stopped during this execution';
  const endTime = new Date().toISOString();
  for (const e of await store.workflowExecutions.executionsOfImage(imageArn)) {
    if (!['PENDING', 'RUNNING', 'ROLLBACK_IN_PROGRESS'].includes(e.status)) continue;
    for (const s of await store.workflowExecutions.stepsOfExecution(e.id))
      if (['PENDING', 'RUNNING', 'WAITING'].includes(s.status))
        await store.workflowExecutions.putStep({ ...s, status: 'FAILED', doc: { ...s.doc, endTime, message } });
    await store.workflowExecutions.putExecution({ ...e, status: 'FAILED', doc: { ...e.doc, endTime, message } });
  }
}
