/** @module A small input schema for action modules: checks at validation time, typed reads at run time. */
import type { DocPath } from '../document/source.ts';
import type { JsonValue } from '../document/types.ts';
import type { InputReport } from './define.ts';

export type FieldKind = 'string' | 'boolean' | 'integer' | 'stringList' | 'stringMap' | 'any';
export interface FieldSpec {
  kind: FieldKind;
  required?: boolean;
  oneOf?: readonly string[];
}
export type Shape = Record<string, FieldSpec>;

type Obj = { [key: string]: JsonValue };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A value that is (or contains) a `{{ }}` expression is only known at run time. */
const deferred = (v: unknown): boolean => typeof v === 'string' && v.includes('{{');
const scalar = (v: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof v);

/** Words YAML 1.1 (what AWSTOE's Go parser reads) takes as booleans. */
const BOOLEAN_WORDS = /^(true|false|yes|no|on|off|y|n)$/i;
const TRUE_WORDS = /^(true|yes|on|y)$/i;

function kindOk(kind: FieldKind, v: JsonValue): boolean {
  if (deferred(v) && (kind === 'boolean' || kind === 'integer')) return true;
  switch (kind) {
    case 'string':
      return scalar(v);
    case 'boolean':
      return typeof v === 'boolean' || (typeof v === 'string' && BOOLEAN_WORDS.test(v));
    case 'integer':
      return Number.isInteger(v) || (typeof v === 'string' && /^-?\d+$/.test(v));
    case 'stringList':
      return Array.isArray(v) && v.every(scalar);
    case 'stringMap':
      return isObj(v) && Object.values(v).every(scalar);
    case 'any':
      return true;
  }
}

const KIND_TEXT: Record<FieldKind, string> = {
  string: 'a string',
  boolean: 'true or false',
  integer: 'an integer',
  stringList: 'a list of strings',
  stringMap: 'a mapping of strings',
  any: 'a value',
};

export function checkObject(v: JsonValue | undefined, shape: Shape, path: DocPath, report: InputReport): void {
  if (!isObj(v)) {
    report(
      path,
      `expected a mapping with ${Object.keys(shape).join(', ')}, found ${v === undefined ? 'nothing' : Array.isArray(v) ? 'a list' : JSON.stringify(v)}`,
    );
    return;
  }
  for (const [key, spec] of Object.entries(shape)) {
    const value = v[key];
    if (value === undefined || value === null) {
      if (spec.required) report([...path, key], `'${key}' is required (${KIND_TEXT[spec.kind]})`);
    } else if (!kindOk(spec.kind, value)) {
      report([...path, key], `'${key}' must be ${KIND_TEXT[spec.kind]}, found ${JSON.stringify(value)}`);
    } else if (
      spec.oneOf &&
      !deferred(value) &&
      !spec.oneOf.some((o) => o.toLowerCase() === String(value).toLowerCase())
    ) {
      report([...path, key], `'${key}' must be one of ${spec.oneOf.join(', ')}, found ${JSON.stringify(value)}`);
    }
  }
  for (const key of Object.keys(v)) {
    if (!(key in shape))
      report([...path, key], `unknown input '${key}'; expected ${Object.keys(shape).join(', ')}`, 'key');
  }
}

/** Inputs that are a list of mappings (most file modules). */
export function checkList(v: JsonValue | undefined, shape: Shape, path: DocPath, report: InputReport): void {
  if (!Array.isArray(v) || v.length === 0) {
    report(path, `expected a non-empty list of mappings with ${Object.keys(shape).join(', ')}`);
    return;
  }
  v.forEach((item, i) => checkObject(item, shape, [...path, i], report));
}

export const listValidator = (shape: Shape) => (v: JsonValue | undefined, report: InputReport) =>
  checkList(v, shape, [], report);
export const objectValidator = (shape: Shape) => (v: JsonValue | undefined, report: InputReport) =>
  checkObject(v, shape, [], report);

/** Typed reads of expanded inputs. */
export const asObjects = (v: JsonValue | undefined): Obj[] =>
  Array.isArray(v) ? v.filter(isObj) : isObj(v) ? [v] : [];
export const asObject = (v: JsonValue | undefined): Obj => (isObj(v) ? v : {});
export function str(o: Obj, key: string): string | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : String(v);
}
export function bool(o: Obj, key: string, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  return v === true || TRUE_WORDS.test(String(v));
}
export function int(o: Obj, key: string, fallback: number): number {
  const v = o[key];
  return v === undefined || v === null ? fallback : Number(v);
}
export const strList = (o: Obj, key: string): string[] => {
  const v = o[key];
  return Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)];
};
