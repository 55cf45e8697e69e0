/**
 * @module Image Builder workflow documents (schemaVersion 1.0): parameters, steps (action, inputs,
 * `if` conditions, onFailure, rollbackEnabled, timeoutSeconds) and outputs, checked the way
 * components are — every problem with its path, line and column. References (`$.parameters.X`,
 * `$.stepOutputs.STEP.…` of an earlier step) are checked in `.$` inputs, `{{ }}` interpolations,
 * conditions and outputs.
 */
import type { DocumentError } from '../toe/document/types.ts';
import { type DocPath, formatPath, readSource } from '../toe/document/source.ts';
import { STEP_ACTIONS, type WorkflowType } from './actions.ts';

export const MAX_WORKFLOW_BYTES = 16000;
const MAX_STEPS = 15;
const MAX_PARAMETERS = 25;
const MAX_OUTPUTS = 25;
const STEP_NAME = /^[A-Za-z][A-Za-z0-9-_]{1,99}$/;
const PARAMETER_TYPES = ['string', 'integer', 'boolean', 'stringList'];
const STEP_KEYS = ['name', 'action', 'description', 'onFailure', 'rollbackEnabled', 'timeoutSeconds', 'if', 'inputs'];
const COMPARATORS = [
  'booleanEquals',
  'numberEquals',
  'numberGreaterThan',
  'numberGreaterThanEquals',
  'numberLessThan',
  'numberLessThanEquals',
  'stringEquals',
];

export interface WorkflowParameter {
  name: string;
  type: string;
  default?: unknown;
  description?: string;
}

export interface WorkflowStep {
  name: string;
  action: string;
  description?: string;
  onFailure: 'Abort' | 'Continue';
  rollbackEnabled: boolean | string;
  timeoutSeconds: number;
  if?: unknown;
  inputs: Record<string, unknown>;
}

export interface WorkflowDocument {
  name?: string;
  description?: string;
  parameters: WorkflowParameter[];
  steps: WorkflowStep[];
  outputs: { name: string; value: string }[];
}

export interface WorkflowCheck {
  document?: WorkflowDocument;
  errors: DocumentError[];
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every JSONPath a string mentions: a whole `$.…` value or `{{ $.… }}` interpolations. */
function referencesIn(text: string): string[] {
  const out = [...text.matchAll(/\{\{\s*(\$\.[^}\s]+)\s*\}\}/g)].map((m) => m[1]!);
  if (/^\$\.[A-Za-z]/.test(text.trim())) out.push(text.trim());
  return out;
}

export function checkWorkflowDocument(text: string, type?: WorkflowType): WorkflowCheck {
  const errors: DocumentError[] = [];
  if (Buffer.byteLength(text) > MAX_WORKFLOW_BYTES)
    return {
      errors: [
        {
          path: '',
          line: 1,
          column: 1,
          message: `the document is ${Buffer.byteLength(text)} bytes; inline workflow documents are at most ${MAX_WORKFLOW_BYTES}`,
        },
      ],
    };
  const source = readSource(text);
  if (source.syntaxErrors.length) return { errors: source.syntaxErrors };
  const report = (path: DocPath, message: string, at: 'key' | 'value' = 'value') =>
    errors.push({ path: formatPath(path), ...source.locate(path, at), message });
  const root = source.value;
  if (!isMap(root)) {
    report([], 'a workflow document is a mapping with schemaVersion and steps');
    return { errors };
  }
  for (const key of Object.keys(root))
    if (!['name', 'description', 'schemaVersion', 'parameters', 'steps', 'outputs'].includes(key))
      report(
        [key],
        `unknown key '${key}' (a workflow document has name, description, schemaVersion, parameters, steps, outputs)`,
        'key',
      );
  if (root['schemaVersion'] === undefined) report([], "'schemaVersion' is required (1.0)");
  else if (String(root['schemaVersion']) !== '1' && String(root['schemaVersion']) !== '1.0')
    report(['schemaVersion'], `schemaVersion must be 1.0, not ${JSON.stringify(root['schemaVersion'])}`);
  for (const key of ['name', 'description'])
    if (root[key] !== undefined && typeof root[key] !== 'string') report([key], `'${key}' must be a string`);

  const parameters = checkParameters(root['parameters'], report);
  const known = new Set(parameters.map((p) => p.name));
  const steps: WorkflowStep[] = [];
  const rawSteps = root['steps'];
  if (!Array.isArray(rawSteps) || rawSteps.length === 0) report(['steps'], "'steps' must be a list of 1 to 15 steps");
  else {
    if (rawSteps.length > MAX_STEPS)
      report(['steps'], `a workflow has at most ${MAX_STEPS} steps, not ${rawSteps.length}`);
    const seen = new Set<string>();
    rawSteps.forEach((raw, i) => {
      const step = checkStep(raw, ['steps', i], type, report);
      if (!step) return;
      const refs = (value: unknown, path: DocPath) => checkRefs(value, path, known, seen, report);
      if (step.if !== undefined) refs(step.if, ['steps', i, 'if']);
      for (const [k, v] of Object.entries(step.inputs)) refs(v, ['steps', i, 'inputs', k]);
      if (typeof step.rollbackEnabled === 'string') refs(step.rollbackEnabled, ['steps', i, 'rollbackEnabled']);
      if (seen.has(step.name)) report(['steps', i, 'name'], `the step name '${step.name}' is used twice`);
      seen.add(step.name);
      steps.push(step);
    });
  }
  const outputs: { name: string; value: string }[] = [];
  const rawOutputs = root['outputs'];
  if (rawOutputs !== undefined) {
    if (!Array.isArray(rawOutputs) || rawOutputs.length > MAX_OUTPUTS)
      report(['outputs'], `'outputs' must be a list of at most ${MAX_OUTPUTS} {name, value}`);
    else
      rawOutputs.forEach((o, i) => {
        if (!isMap(o) || typeof o['name'] !== 'string' || typeof o['value'] !== 'string')
          return report(['outputs', i], 'an output is {name: string, value: JSONPath}');
        checkRefs(o['value'], ['outputs', i, 'value'], known, new Set(steps.map((s) => s.name)), report);
        outputs.push({ name: o['name'], value: o['value'] });
      });
  }
  if (errors.length) return { errors };
  return {
    document: {
      ...(typeof root['name'] === 'string' ? { name: root['name'] } : {}),
      ...(typeof root['description'] === 'string' ? { description: root['description'] } : {}),
      parameters,
      steps,
      outputs,
    },
    errors,
  };
}

type Report = (path: DocPath, message: string, at?: 'key' | 'value') => void;

function checkParameters(raw: unknown, report: Report): WorkflowParameter[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.length > MAX_PARAMETERS) {
    report(['parameters'], `'parameters' must be a list of at most ${MAX_PARAMETERS} parameters`);
    return [];
  }
  const out: WorkflowParameter[] = [];
  raw.forEach((p, i) => {
    const at = ['parameters', i];
    if (!isMap(p) || typeof p['name'] !== 'string') return report(at, 'a parameter needs a name');
    if (typeof p['type'] !== 'string' || !PARAMETER_TYPES.includes(p['type']))
      return report([...at, 'type'], `a parameter's type is one of ${PARAMETER_TYPES.join(', ')}`);
    if (out.some((o) => o.name === p['name']))
      return report([...at, 'name'], `the parameter '${p['name']}' is declared twice`);
    const d = p['default'];
    const ok =
      d === undefined ||
      (p['type'] === 'string' && typeof d === 'string') ||
      (p['type'] === 'integer' && Number.isInteger(d)) ||
      (p['type'] === 'boolean' && typeof d === 'boolean') ||
      (p['type'] === 'stringList' && Array.isArray(d) && d.every((x) => typeof x === 'string'));
    if (!ok) return report([...at, 'default'], `the default of '${p['name']}' is not a ${p['type']}`);
    out.push({
      name: p['name'],
      type: p['type'],
      ...(d !== undefined ? { default: d } : {}),
      ...(typeof p['description'] === 'string' ? { description: p['description'] } : {}),
    });
  });
  return out;
}

function checkStep(
  raw: unknown,
  at: DocPath,
  type: WorkflowType | undefined,
  report: Report,
): WorkflowStep | undefined {
  if (!isMap(raw)) {
    report(at, 'a step is a mapping with name, action and inputs');
    return undefined;
  }
  let ok = true;
  const fail = (path: DocPath, message: string, where?: 'key' | 'value') => {
    ok = false;
    report(path, message, where);
  };
  for (const key of Object.keys(raw))
    if (!STEP_KEYS.includes(key))
      fail([...at, key], `unknown step key '${key}' (a step has ${STEP_KEYS.join(', ')})`, 'key');
  const name = raw['name'];
  if (typeof name !== 'string' || !STEP_NAME.test(name))
    fail([...at, 'name'], 'a step name is 2 to 100 letters, digits, - or _, starting with a letter');
  const action = STEP_ACTIONS[String(raw['action'])];
  if (!action)
    fail(
      [...at, 'action'],
      `unknown action '${String(raw['action'])}' (one of ${Object.keys(STEP_ACTIONS).join(', ')})`,
    );
  else if (type && !action.stages.includes(type))
    fail(
      [...at, 'action'],
      `${String(raw['action'])} cannot run in a ${type} workflow (only ${action.stages.join(', ')})`,
    );
  const onFailure = raw['onFailure'] ?? 'Abort';
  if (onFailure !== 'Abort' && onFailure !== 'Continue')
    fail([...at, 'onFailure'], "onFailure is 'Abort' or 'Continue'");
  const rollbackEnabled = raw['rollbackEnabled'] ?? true;
  if (
    typeof rollbackEnabled !== 'boolean' &&
    !(typeof rollbackEnabled === 'string' && rollbackEnabled.startsWith('$.'))
  )
    fail([...at, 'rollbackEnabled'], 'rollbackEnabled is true, false or a JSONPath');
  const timeout = raw['timeoutSeconds'] ?? action?.defaultTimeout ?? 0;
  if (action && (!Number.isInteger(timeout) || (timeout as number) < 1 || (timeout as number) > action.maxTimeout))
    fail(
      [...at, 'timeoutSeconds'],
      `timeoutSeconds of ${String(raw['action'])} is a whole number from 1 to ${action.maxTimeout}`,
    );
  const inputs = raw['inputs'] ?? {};
  if (!isMap(inputs)) fail([...at, 'inputs'], "'inputs' is a mapping");
  if (raw['if'] !== undefined) checkCondition(raw['if'], [...at, 'if'], (p, m) => fail(p, m));
  if (raw['description'] !== undefined && typeof raw['description'] !== 'string')
    fail([...at, 'description'], "'description' is a string");
  if (!ok) return undefined;
  return {
    name: name as string,
    action: String(raw['action']),
    ...(typeof raw['description'] === 'string' ? { description: raw['description'] } : {}),
    onFailure: onFailure as 'Abort' | 'Continue',
    rollbackEnabled: rollbackEnabled as boolean | string,
    timeoutSeconds: timeout as number,
    ...(raw['if'] !== undefined ? { if: raw['if'] } : {}),
    inputs: inputs as Record<string, unknown>,
  };
}

/** `if` conditions: and/or (lists), not (one condition), or one comparator with its `value`. */
function checkCondition(c: unknown, at: DocPath, fail: (path: DocPath, message: string) => void): void {
  if (!isMap(c)) {
    fail(at, 'a condition is a mapping (and, or, not, or a comparator with value)');
    return;
  }
  const keys = Object.keys(c);
  const [only] = keys;
  if (keys.length === 1 && (only === 'and' || only === 'or')) {
    const list = c[only];
    if (!Array.isArray(list) || list.length < 1) fail([...at, only], `'${only}' takes a list of conditions`);
    else list.forEach((x, i) => checkCondition(x, [...at, only, i], fail));
  } else if (keys.length === 1 && only === 'not') checkCondition(c['not'], [...at, 'not'], fail);
  else if (!keys.some((k) => COMPARATORS.includes(k)) || !keys.includes('value') || keys.length !== 2)
    fail(at, `a comparison is one of ${COMPARATORS.join(', ')} with a 'value'`);
}

function checkRefs(value: unknown, at: DocPath, parameters: Set<string>, steps: Set<string>, report: Report): void {
  if (typeof value === 'string') {
    for (const ref of referencesIn(value)) {
      const m = /^\$\.(parameters|stepOutputs|workflowOutputs|imagebuilder)\.([A-Za-z0-9_-]+)/.exec(ref);
      if (!m)
        report(
          at,
          `'${ref}' is not a JSONPath Ingot knows ($.parameters, $.stepOutputs, $.workflowOutputs, $.imagebuilder)`,
        );
      else if (m[1] === 'parameters' && !parameters.has(m[2]!)) report(at, `'${ref}' names no declared parameter`);
      else if (m[1] === 'stepOutputs' && !steps.has(m[2]!)) report(at, `'${ref}' names no earlier step`);
    }
  } else if (Array.isArray(value)) value.forEach((v, i) => checkRefs(v, [...at, i], parameters, steps, report));
  else if (isMap(value))
    for (const [k, v] of Object.entries(value)) checkRefs(v, [...at, k], parameters, steps, report);
}
