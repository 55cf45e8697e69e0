/** @module Expands `{{ }}` references in step inputs: parameters, constants, loop values, chained inputs/outputs. */
import { IngotError } from '../../errors/ingot-error.ts';
import { replaceReferences } from '../document/references.ts';
import type { Reference } from '../document/references.ts';
import type { ComponentDocument, JsonValue, Loop, ParameterDefinition } from '../document/types.ts';

/** What earlier steps took and produced, by `phase.step`. */
export interface ChainEntry {
  inputs: JsonValue[];
  outputs: Record<string, JsonValue> | null;
}
export type ChainStore = Map<string, ChainEntry>;

export interface Iteration {
  loopName: string | undefined;
  index: number;
  value: string;
}

export interface Scope {
  variables: Map<string, string>;
  chain: ChainStore;
  iteration?: Iteration;
}

const asText = (v: JsonValue | undefined): string | undefined =>
  v === undefined
    ? undefined
    : typeof v === 'string'
      ? v
      : Array.isArray(v) && v.every((x) => typeof x === 'string')
        ? v.join(',')
        : JSON.stringify(v);

function resolve(scope: Scope, ref: Reference): string | undefined {
  switch (ref.kind) {
    case 'variable':
      return scope.variables.get(ref.name);
    case 'loop': {
      const it = scope.iteration;
      if (!it || (ref.loopName !== 'loop' && ref.loopName !== it.loopName)) return undefined;
      return ref.member === 'index' ? String(it.index) : it.value;
    }
    case 'chain': {
      const entry = scope.chain.get(`${ref.phase}.${ref.step}`);
      if (!entry) return undefined;
      if (ref.io === 'outputs') return asText(entry.outputs?.[ref.field]);
      const item = entry.inputs[ref.index ?? 0];
      return item && typeof item === 'object' && !Array.isArray(item) ? asText(item[ref.field]) : undefined;
    }
  }
}

export function expandText(text: string, scope: Scope): string {
  return replaceReferences(text, (ref) => resolve(scope, ref));
}

export function expandValue(value: JsonValue, scope: Scope): JsonValue {
  if (typeof value === 'string') return expandText(value, scope);
  if (Array.isArray(value)) return value.map((v) => expandValue(v, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandValue(v, scope)]));
  }
  return value;
}

/** Parameter values: caller's, else defaults; a parameter with neither is an error. */
export function resolveVariables(doc: ComponentDocument, given: Readonly<Record<string, string>>): Map<string, string> {
  const vars = new Map<string, string>();
  const missing: string[] = [];
  for (const p of doc.parameters) {
    const value = given[p.name] ?? defaultText(p);
    if (value === undefined) missing.push(p.name);
    else vars.set(p.name, checkValue(p, value));
  }
  if (missing.length)
    throw new IngotError(
      'invalid-input',
      `missing value for parameter(s) ${missing.join(', ')} (they have no default)`,
    );
  for (const c of doc.constants) vars.set(c.name, c.value);
  return vars;
}

/** A runtime value must fit the parameter's type and allowedValues. */
function checkValue(p: ParameterDefinition, value: string): string {
  if (p.type === 'integer' && !/^-?\d+$/.test(value.trim()))
    throw new IngotError('invalid-input', `parameter ${p.name} must be an integer, got '${value}'`);
  if (p.type === 'boolean' && !/^(true|false)$/i.test(value.trim()))
    throw new IngotError('invalid-input', `parameter ${p.name} must be true or false, got '${value}'`);
  if (p.allowedValues && !p.allowedValues.includes(value)) {
    throw new IngotError(
      'invalid-input',
      `parameter ${p.name} must be one of ${p.allowedValues.join(', ')}, got '${value}'`,
    );
  }
  return value;
}

function defaultText(p: ParameterDefinition): string | undefined {
  if (p.default === undefined) return undefined;
  return Array.isArray(p.default) ? p.default.join(',') : String(p.default);
}

/** The iterations of a loop, after expanding list values. */
export function iterationsOf(loop: Loop, scope: Scope): Iteration[] {
  const name = loop.name;
  if (loop.kind === 'for') {
    const out: Iteration[] = [];
    for (let v = loop.start, i = 0; loop.updateBy > 0 ? v <= loop.end : v >= loop.end; v += loop.updateBy, i++) {
      out.push({ loopName: name, index: i, value: String(v) });
    }
    return out;
  }
  const values =
    loop.kind === 'forEach'
      ? loop.items.map((v) => expandText(v, scope))
      : expandText(loop.list, scope)
          .split(loop.delimiter)
          .filter((v) => v !== '');
  return values.map((value, index) => ({ loopName: name, index, value }));
}
