/**
 * @module Evaluating a workflow document at run time: JSONPath values (`$.parameters.X`,
 * `$.stepOutputs.STEP.out[0]`, `$.workflowOutputs.X`, `$.imagebuilder.X`), inputs whose key ends in
 * `.$` (the whole value is a JSONPath), `{{ $.… }}` interpolation inside strings, and `if`
 * conditions (and, or, not, comparators).
 */

/** What a JSONPath can read while a workflow runs. */
export interface WorkflowScope {
  parameters: Record<string, unknown>;
  stepOutputs: Record<string, Record<string, unknown>>;
  workflowOutputs: Record<string, unknown>;
  imagebuilder: Record<string, unknown>;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at a `$.a.b[0].c` path, or undefined when any part is missing. */
export function readPath(scope: WorkflowScope, path: string): unknown {
  const text = path.trim();
  if (!text.startsWith('$.')) return undefined;
  let value: unknown = scope;
  for (const part of text.slice(2).matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (part[2] !== undefined) value = Array.isArray(value) ? value[Number(part[2])] : undefined;
    else value = isMap(value) ? value[part[1]!] : undefined;
    if (value === undefined) return undefined;
  }
  return value;
}

/** A string with every `{{ $.… }}` replaced by its value (objects as JSON). */
export function interpolate(text: string, scope: WorkflowScope): string {
  return text.replace(/\{\{\s*(\$\.[^}\s]+)\s*\}\}/g, (_, path: string) => {
    const v = readPath(scope, path);
    if (v === undefined) throw new WorkflowValueError(`'${path}' has no value`);
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

export class WorkflowValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowValueError';
  }
}

function resolveValue(value: unknown, scope: WorkflowScope): unknown {
  if (typeof value === 'string') return interpolate(value, scope);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, scope));
  if (isMap(value)) return resolveInputs(value, scope);
  return value;
}

/** A step's inputs as the action sees them: `key.$` read from their JSONPath, strings interpolated. */
export function resolveInputs(inputs: Record<string, unknown>, scope: WorkflowScope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (key.endsWith('.$') && typeof value === 'string') {
      const v = readPath(scope, value);
      if (v === undefined) throw new WorkflowValueError(`input '${key}': '${value}' has no value`);
      out[key.slice(0, -2)] = v;
    } else out[key] = resolveValue(value, scope);
  }
  return out;
}

/** A comparator's `value`: a JSONPath when it starts with `$.`, else the literal. */
function operand(value: unknown, scope: WorkflowScope): unknown {
  return typeof value === 'string' && value.startsWith('$.') ? readPath(scope, value) : value;
}

/** Whether an `if` condition holds. */
export function evaluateCondition(condition: unknown, scope: WorkflowScope): boolean {
  if (!isMap(condition)) return false;
  if (Array.isArray(condition['and'])) return condition['and'].every((c) => evaluateCondition(c, scope));
  if (Array.isArray(condition['or'])) return condition['or'].some((c) => evaluateCondition(c, scope));
  if ('not' in condition) return !evaluateCondition(condition['not'], scope);
  const left = operand(condition['value'], scope);
  const [op, right] = Object.entries(condition).find(([k]) => k !== 'value') ?? [];
  const n = (x: unknown) => (typeof x === 'number' ? x : Number(x));
  switch (op) {
    case 'booleanEquals':
      return String(left) === String(right);
    case 'stringEquals':
      return typeof left !== 'object' && String(left) === String(right);
    case 'numberEquals':
      return n(left) === n(right);
    case 'numberGreaterThan':
      return n(left) > n(right);
    case 'numberGreaterThanEquals':
      return n(left) >= n(right);
    case 'numberLessThan':
      return n(left) < n(right);
    case 'numberLessThanEquals':
      return n(left) <= n(right);
    default:
      return false;
  }
}
