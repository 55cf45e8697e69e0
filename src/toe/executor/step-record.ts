/** @module Fills a step's detailed-output record from a finished attempt (success or failure). */
import { ActionFailure } from '../actions/define.ts';
import type { ActionOutcome } from '../actions/define.ts';
import type { JsonValue, Step } from '../document/types.ts';
import type { StepRecord } from './types.ts';

export const timestamp = (d = new Date()): string => d.toISOString().replace(/\.\d+Z$/, 'Z');
const EXCERPT = 4000;
const excerpt = (s: string): string => (s.length > EXCERPT ? `...${s.slice(-EXCERPT)}` : s);

export function newStepRecord(step: Step, started: Date): StepRecord {
  return {
    name: step.name,
    status: 'success',
    failureMessage: '',
    timeoutSeconds: step.timeoutSeconds,
    onFailure: step.onFailure,
    maxAttempts: step.maxAttempts,
    action: step.action,
    startTime: timestamp(started),
    endTime: '',
    inputs: '[]',
    outputs: '',
    loop: null,
    detailedOutput: null,
    durationMs: 0,
    attempts: 0,
    exitCode: null,
    stdoutExcerpt: '',
    stderrExcerpt: '',
  };
}

/** Merges step outputs of loop iterations: string values of the same key joined with newlines. */
export function mergeOutputs(all: Array<Record<string, JsonValue> | null>): Record<string, JsonValue> | null {
  const present = all.filter((o): o is Record<string, JsonValue> => o !== null);
  if (present.length === 0) return null;
  const merged: Record<string, JsonValue> = {};
  for (const o of present)
    for (const [k, v] of Object.entries(o)) {
      merged[k] = k in merged && typeof merged[k] === 'string' && typeof v === 'string' ? `${merged[k]}\n${v}` : v;
    }
  return merged;
}

export function recordSuccess(
  record: StepRecord,
  step: Step,
  inputs: JsonValue[],
  outcomes: ActionOutcome[],
  outputs: Record<string, JsonValue> | null,
): void {
  const last = outcomes.at(-1);
  Object.assign(record, {
    status: 'success',
    failureMessage: '',
    inputs: JSON.stringify(inputs),
    outputs: outputs ? JSON.stringify([outputs]) : '',
    exitCode: last?.exitCode ?? 0,
    stdoutExcerpt: excerpt(
      outcomes
        .map((o) => o.stdout ?? '')
        .filter(Boolean)
        .join('\n'),
    ),
    stderrExcerpt: excerpt(
      outcomes
        .map((o) => o.stderr ?? '')
        .filter(Boolean)
        .join('\n'),
    ),
    loop: step.loop ? { name: step.loop.name ?? '', iterations: outcomes.length, failedIterations: [] } : null,
  });
  if (last?.detailedOutput) record.detailedOutput = last.detailedOutput as unknown as StepRecord['detailedOutput'];
}

export interface AttemptFailure {
  error: unknown;
  timedOut: boolean;
  cancelled: boolean;
  inputs: JsonValue[];
  failedIterations: number[];
}

export function recordFailure(record: StepRecord, step: Step, f: AttemptFailure): void {
  const message = f.error instanceof Error ? f.error.message : String(f.error);
  record.status = f.cancelled ? 'cancelled' : 'failed';
  record.inputs = JSON.stringify(f.inputs);
  record.failureMessage = f.timedOut
    ? `step timed out after ${step.timeoutSeconds} seconds${step.loop ? ' (loop run timed out)' : ''}`
    : f.cancelled
      ? 'execution was cancelled'
      : step.loop && f.failedIterations.length
        ? `${message} (failed iteration index: ${f.failedIterations.join(', ')})`
        : message;
  if (f.error instanceof ActionFailure) {
    record.exitCode = f.error.exitCode ?? null;
    record.stdoutExcerpt = excerpt(f.error.stdout);
    record.stderrExcerpt = excerpt(f.error.stderr);
  }
  record.loop = step.loop ? { name: step.loop.name ?? '', iterations: 0, failedIterations: f.failedIterations } : null;
}
