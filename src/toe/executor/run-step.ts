/** @module Runs one step: `if`, loop iterations, retries (maxAttempts) and the step timeout (kills the process tree). */
import { ActionFailure, findAction } from '../actions/index.ts';
import type { ActionContext, ActionOutcome } from '../actions/index.ts';
import type { Condition, JsonValue, Step, StepDecision } from '../document/types.ts';
import { evaluateCondition } from './evaluate-condition.ts';
import { expandValue, iterationsOf } from './expand.ts';
import type { ChainEntry, Scope } from './expand.ts';
import type { StepRecord } from './types.ts';

export const timestamp = (d = new Date()): string => d.toISOString().replace(/\.\d+Z$/, 'Z');
const EXCERPT = 4000;
const excerpt = (s: string): string => (s.length > EXCERPT ? `...${s.slice(-EXCERPT)}` : s);

export interface StepRun {
  record: StepRecord;
  chain: ChainEntry;
  rebootRequested: boolean;
  /** The reboot came from the Reboot action (continue at the next step) rather than exit code 194. */
  rebootAction: boolean;
}

type BaseContext = Omit<ActionContext, 'signal'>;

/** Merges step outputs of loop iterations: string values of the same key joined with newlines. */
function mergeOutputs(all: Array<Record<string, JsonValue> | null>): Record<string, JsonValue> | null {
  const present = all.filter((o): o is Record<string, JsonValue> => o !== null);
  if (present.length === 0) return null;
  const merged: Record<string, JsonValue> = {};
  for (const o of present) for (const [k, v] of Object.entries(o)) {
    merged[k] = k in merged && typeof merged[k] === 'string' && typeof v === 'string' ? `${merged[k]}\n${v}` : v;
  }
  return merged;
}

/** Runs every iteration once; `inputs` collects the expanded inputs as they are made (kept when an iteration fails). */
async function attempt(step: Step, scope: Scope, ctx: ActionContext, failedIterations: number[], inputs: JsonValue[]) {
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
  return { outcomes };
}

export interface StepHooks {
  onAttempt(n: number): void;
  /** The step is rerun after the reboot it asked for: its `if` was already decided (AWSTOE evaluates it once). */
  conditionDecided?: boolean;
}

export async function runStep(step: Step, scope: Scope, base: BaseContext, outer: AbortSignal, hooks: StepHooks): Promise<StepRun> {
  const started = new Date();
  const record: StepRecord = {
    name: step.name, status: 'success', failureMessage: '', timeoutSeconds: step.timeoutSeconds, onFailure: step.onFailure,
    maxAttempts: step.maxAttempts, action: step.action, startTime: timestamp(started), endTime: '', inputs: '[]', outputs: '',
    loop: null, detailedOutput: null, durationMs: 0, attempts: 0, exitCode: null, stdoutExcerpt: '', stderrExcerpt: '',
  };
  const finish = (run: Omit<StepRun, 'record'>): StepRun => {
    record.endTime = timestamp();
    record.durationMs = Date.now() - started.getTime();
    return { record, ...run };
  };
  const emptyChain: ChainEntry = { inputs: [], outputs: null };
  if (step.if && !hooks.conditionDecided) {
    const condition = expandValue(step.if.condition as unknown as JsonValue, scope) as unknown as Condition;
    let decision: StepDecision;
    try {
      decision = (await evaluateCondition(condition, { ...base, signal: outer })) ? step.if.then : step.if.else;
    } catch (err) {
      record.status = 'failed';
      record.failureMessage = `cannot evaluate the step's 'if': ${err instanceof Error ? err.message : String(err)}`;
      return finish({ chain: emptyChain, rebootRequested: false, rebootAction: false });
    }
    if (decision === 'Skip') {
      record.status = 'skipped';
      return finish({ chain: emptyChain, rebootRequested: false, rebootAction: false });
    }
    if (decision === 'Abort') {
      record.status = 'failed';
      record.failureMessage = "the step's 'if' condition decided Abort";
      return finish({ chain: emptyChain, rebootRequested: false, rebootAction: false });
    }
  }
  for (let n = 1; n <= step.maxAttempts; n++) {
    record.attempts = n;
    hooks.onAttempt(n);
    const controller = new AbortController();
    const stop = () => controller.abort();
    outer.addEventListener('abort', stop, { once: true });
    let timedOut = false;
    const timer = step.timeoutSeconds > 0 ? setTimeout(() => { timedOut = true; controller.abort(); }, step.timeoutSeconds * 1000) : undefined;
    const failedIterations: number[] = [];
    const inputs: JsonValue[] = [];
    try {
      const { outcomes } = await attempt(step, scope, { ...base, signal: controller.signal }, failedIterations, inputs);
      const outputs = mergeOutputs(outcomes.map((o) => o.outputs));
      const last = outcomes.at(-1);
      record.inputs = JSON.stringify(inputs);
      record.outputs = outputs ? JSON.stringify([outputs]) : '';
      record.exitCode = last?.exitCode ?? 0;
      record.stdoutExcerpt = excerpt(outcomes.map((o) => o.stdout ?? '').filter(Boolean).join('\n'));
      record.stderrExcerpt = excerpt(outcomes.map((o) => o.stderr ?? '').filter(Boolean).join('\n'));
      record.status = 'success';
      record.failureMessage = '';
      if (last?.detailedOutput) record.detailedOutput = last.detailedOutput as unknown as StepRecord['detailedOutput'];
      if (step.loop) record.loop = { name: step.loop.name ?? '', iterations: outcomes.length, failedIterations: [] };
      const reboot = last?.rebootRequested === true;
      return finish({ chain: { inputs, outputs }, rebootRequested: reboot, rebootAction: reboot && step.action === 'Reboot' });
    } catch (err) {
      record.status = outer.aborted ? 'cancelled' : 'failed';
      record.inputs = JSON.stringify(inputs);
      const message = err instanceof Error ? err.message : String(err);
      record.failureMessage = timedOut ? `step timed out after ${step.timeoutSeconds} seconds${step.loop ? ' (loop run timed out)' : ''}`
        : outer.aborted ? 'execution was cancelled'
        : step.loop && failedIterations.length ? `${message} (failed iteration index: ${failedIterations.join(', ')})` : message;
      if (err instanceof ActionFailure) {
        record.exitCode = err.exitCode ?? null;
        record.stdoutExcerpt = excerpt(err.stdout);
        record.stderrExcerpt = excerpt(err.stderr);
      }
      if (step.loop) record.loop = { name: step.loop.name ?? '', iterations: 0, failedIterations };
      if (outer.aborted) break;
    } finally {
      if (timer) clearTimeout(timer);
      outer.removeEventListener('abort', stop);
    }
  }
  return finish({ chain: emptyChain, rebootRequested: false, rebootAction: false });
}
