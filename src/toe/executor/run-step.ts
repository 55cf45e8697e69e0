/** @module Runs one step: `if`, loop iterations, retries (maxAttempts) and the step timeout (kills the process tree). */
import { findAction } from '../actions/index.ts';
import type { ActionContext, ActionOutcome } from '../actions/index.ts';
import type { Condition, JsonValue, Step, StepDecision } from '../document/types.ts';
import { evaluateCondition } from './evaluate-condition.ts';
import { expandValue, iterationsOf } from './expand.ts';
import type { ChainEntry, Scope } from './expand.ts';
import { mergeOutputs, newStepRecord, recordFailure, recordSuccess, timestamp } from './step-record.ts';
import type { StepRecord } from './types.ts';

export interface StepRun {
  record: StepRecord;
  chain: ChainEntry;
  rebootRequested: boolean;
  /** The reboot came from the Reboot action (continue at the next step) rather than exit code 194. */
  rebootAction: boolean;
}

export interface StepHooks {
  onAttempt(n: number): void;
  /** The step is rerun after the reboot it asked for: its `if` was already decided (AWSTOE evaluates it once). */
  conditionDecided?: boolean;
}

type BaseContext = Omit<ActionContext, 'signal'>;
const NO_CHAIN: ChainEntry = { inputs: [], outputs: null };

/** Runs every iteration once; `inputs` collects the expanded inputs as they are made (kept when an iteration fails). */
async function attempt(
  step: Step,
  scope: Scope,
  ctx: ActionContext,
  failedIterations: number[],
  inputs: JsonValue[],
): Promise<ActionOutcome[]> {
  const action = findAction(step.action)!;
  const iterations = step.loop ? iterationsOf(step.loop, scope) : [undefined];
  const outcomes: ActionOutcome[] = [];
  for (const iteration of iterations) {
    const expanded = expandValue(step.inputs, iteration ? { ...scope, iteration } : scope);
    inputs.push(...(Array.isArray(expanded) ? expanded : [expanded]));
    try {
      const outcome = await action.execute(expanded ?? undefined, ctx);
      outcomes.push(outcome);
      if (outcome.rebootRequested) break;
    } catch (err) {
      if (iteration) failedIterations.push(iteration.index);
      throw err;
    }
  }
  return outcomes;
}

/** The `if` decision, or a failure message when the condition cannot be evaluated. */
async function decide(step: Step, scope: Scope, ctx: ActionContext): Promise<StepDecision | { error: string }> {
  if (!step.if) return 'Execute';
  const condition = expandValue(step.if.condition as unknown as JsonValue, scope) as unknown as Condition;
  try {
    return (await evaluateCondition(condition, ctx)) ? step.if.then : step.if.else;
  } catch (err) {
    return { error: `cannot evaluate the step's 'if': ${err instanceof Error ? err.message : String(err)}` };
  }
}

export async function runStep(
  step: Step,
  scope: Scope,
  base: BaseContext,
  outer: AbortSignal,
  hooks: StepHooks,
): Promise<StepRun> {
  const started = new Date();
  const record = newStepRecord(step, started);
  const finish = (chain: ChainEntry, rebootRequested = false): StepRun => {
    record.endTime = timestamp();
    record.durationMs = Date.now() - started.getTime();
    return { record, chain, rebootRequested, rebootAction: rebootRequested && step.action === 'Reboot' };
  };
  const decision = hooks.conditionDecided ? 'Execute' : await decide(step, scope, { ...base, signal: outer });
  if (decision !== 'Execute') {
    record.status = decision === 'Skip' ? 'skipped' : 'failed';
    if (decision === 'Abort') record.failureMessage = "the step's 'if' condition decided Abort";
    if (typeof decision === 'object') record.failureMessage = decision.error;
    return finish(NO_CHAIN);
  }
  for (let n = 1; n <= step.maxAttempts; n++) {
    record.attempts = n;
    hooks.onAttempt(n);
    const controller = new AbortController();
    const stop = () => controller.abort();
    outer.addEventListener('abort', stop, { once: true });
    let timedOut = false;
    const timer =
      step.timeoutSeconds > 0
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, step.timeoutSeconds * 1000)
        : undefined;
    const failedIterations: number[] = [];
    const inputs: JsonValue[] = [];
    try {
      const outcomes = await attempt(step, scope, { ...base, signal: controller.signal }, failedIterations, inputs);
      const outputs = mergeOutputs(outcomes.map((o) => o.outputs));
      recordSuccess(record, step, inputs, outcomes, outputs);
      return finish({ inputs, outputs }, outcomes.at(-1)?.rebootRequested === true);
    } catch (error) {
      recordFailure(record, step, { error, timedOut, cancelled: outer.aborted, inputs, failedIterations });
      if (outer.aborted) break;
    } finally {
      if (timer) clearTimeout(timer);
      outer.removeEventListener('abort', stop);
    }
  }
  return finish(NO_CHAIN);
}
