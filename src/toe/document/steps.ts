/** @module Reads `phases` and their `steps`: names, action, inputs, timeout, retries, onFailure, loop and `if`. */
import { ACTION_NAMES, findAction } from '../actions/index.ts';
import { readStepCondition } from './conditions.ts';
import { readLoop } from './loops.ts';
import { checkKeys, describeType, isRecord } from './reporter.ts';
import type { Reporter } from './reporter.ts';
import { isJsonValue } from './source.ts';
import type { DocPath } from './source.ts';
import { DEFAULT_TIMEOUT_SECONDS, ON_FAILURE_VALUES, PHASE_NAMES } from './types.ts';
import type { OnFailure, Phase, PhaseName, Step } from './types.ts';

const STEP_KEYS = ['name', 'action', 'inputs', 'timeoutSeconds', 'onFailure', 'maxAttempts', 'if', 'loop'];

function readStep(r: Reporter, path: DocPath, raw: unknown): Step | undefined {
  if (!isRecord(raw)) {
    r.error(path, `a step must be a mapping with name, action and inputs, found ${describeType(raw)}`);
    return undefined;
  }
  checkKeys(r, path, raw, STEP_KEYS, 'step');
  if (typeof raw.name !== 'string' || raw.name.trim() === '') {
    r.error([...path, 'name'], `step needs a 'name' (a non-empty string), found ${describeType(raw.name)}`);
  }
  const action = typeof raw.action === 'string' ? findAction(raw.action) : undefined;
  if (!action) {
    r.error(
      [...path, 'action'],
      `unknown action ${describeType(raw.action)}; expected one of: ${ACTION_NAMES.join(', ')}`,
    );
  }
  let timeoutSeconds = action?.fixedTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (raw.timeoutSeconds !== undefined) {
    const t = raw.timeoutSeconds;
    if (!Number.isInteger(t) || ((t as number) < 1 && t !== -1)) {
      r.error(
        [...path, 'timeoutSeconds'],
        `timeoutSeconds must be a positive integer or -1 (no timeout), found ${describeType(t)}`,
      );
    } else if (action?.fixedTimeoutSeconds !== undefined && t !== action.fixedTimeoutSeconds) {
      r.error(
        [...path, 'timeoutSeconds'],
        `${action.name} does not allow a timeout; leave timeoutSeconds out or set ${action.fixedTimeoutSeconds}`,
      );
    } else timeoutSeconds = t as number;
  }
  let maxAttempts = 1;
  if (raw.maxAttempts !== undefined) {
    if (!Number.isInteger(raw.maxAttempts) || (raw.maxAttempts as number) < 1) {
      r.error(
        [...path, 'maxAttempts'],
        `maxAttempts must be an integer of at least 1, found ${describeType(raw.maxAttempts)}`,
      );
    } else if (action?.name === 'ExecuteDocument' && raw.maxAttempts !== 1) {
      r.error([...path, 'maxAttempts'], 'ExecuteDocument runs once: maxAttempts must be 1');
    } else maxAttempts = raw.maxAttempts as number;
  }
  let onFailure: OnFailure = 'Abort';
  if (raw.onFailure !== undefined) {
    if (!(ON_FAILURE_VALUES as readonly unknown[]).includes(raw.onFailure)) {
      r.error(
        [...path, 'onFailure'],
        `onFailure must be one of ${ON_FAILURE_VALUES.join(', ')}, found ${describeType(raw.onFailure)}`,
      );
    } else onFailure = raw.onFailure as OnFailure;
  }
  const inputs = raw.inputs;
  if (inputs !== undefined && !isJsonValue(inputs))
    r.error([...path, 'inputs'], 'inputs must be plain YAML/JSON values');
  else if (action)
    action.validateInputs(inputs ?? undefined, (rel, message, at) => r.error([...path, 'inputs', ...rel], message, at));
  const step: Step = {
    name: String(raw.name ?? ''),
    action: action?.name ?? String(raw.action),
    inputs: (inputs ?? null) as Step['inputs'],
    timeoutSeconds,
    onFailure,
    maxAttempts,
  };
  if (raw.loop !== undefined) step.loop = readLoop(r, [...path, 'loop'], raw.loop);
  if (raw.if !== undefined) step.if = readStepCondition(raw.if, [...path, 'if'], (p, m) => r.error(p, m));
  return step;
}

function readPhase(r: Reporter, path: DocPath, raw: unknown): Phase | undefined {
  if (!isRecord(raw)) {
    r.error(path, `a phase must be a mapping with 'name' and 'steps', found ${describeType(raw)}`);
    return undefined;
  }
  checkKeys(r, path, raw, ['name', 'steps'], 'phase');
  if (!(PHASE_NAMES as readonly unknown[]).includes(raw.name)) {
    r.error([...path, 'name'], `unknown phase ${describeType(raw.name)}; expected one of: ${PHASE_NAMES.join(', ')}`);
  }
  if (!Array.isArray(raw.steps)) {
    r.error([...path, 'steps'], `'steps' must be a list of steps, found ${describeType(raw.steps)}`);
    return undefined;
  }
  const steps = raw.steps.map((s, i) => readStep(r, [...path, 'steps', i], s));
  const names = new Map<string, number>();
  const loopNames = new Set<string>();
  steps.forEach((s, i) => {
    if (!s) return;
    if (names.has(s.name)) {
      r.error(
        [...path, 'steps', i, 'name'],
        `duplicate step name '${s.name}' (also steps[${names.get(s.name)}]); step names must be unique within a phase`,
      );
    } else names.set(s.name, i);
    const loopName = s.loop?.name;
    if (loopName && loopNames.has(loopName))
      r.error([...path, 'steps', i, 'loop', 'name'], `duplicate loop name '${loopName}' in this phase`);
    if (loopName) loopNames.add(loopName);
  });
  return { name: raw.name as PhaseName, steps: steps.filter((s): s is Step => s !== undefined) };
}

export function readPhases(r: Reporter, raw: unknown): Phase[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    r.error(
      ['phases'],
      `'phases' must be a non-empty list of phases (- name: build, steps: [...]), found ${describeType(raw)}`,
    );
    return [];
  }
  const phases = raw.map((p, i) => readPhase(r, ['phases', i], p));
  const seen = new Set<string>();
  phases.forEach((p, i) => {
    if (!p) return;
    if (seen.has(p.name)) r.error(['phases', i, 'name'], `duplicate phase '${p.name}'; each phase appears once`);
    seen.add(p.name);
  });
  return phases.filter((p): p is Phase => p !== undefined);
}
