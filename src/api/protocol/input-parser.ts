/** @module Builds an operation's input from URI labels, query, headers and JSON body, then validates it. */
import { IngotError } from '../../errors/ingot-error.ts';
import type { OperationSpec, ServiceModel } from '../../model/types.ts';
import { ValidationIssues } from './issues.ts';
import { percentDecode, type QueryPair } from './query-string.ts';
import { coerceText } from './text-coercion.ts';
import { isPlainObject, type ShapeChecks } from './shape-checks.ts';

export interface InputParts {
  rawLabels: Record<string, string>;
  query: QueryPair[];
  header: (name: string) => string | undefined;
  body: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON body as an object; malformed input is a SerializationException like AWS's. */
export function parseJsonBody(body: Uint8Array): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch (err) {
    const reason = err instanceof TypeError ? 'it is not valid UTF-8' : (err as Error).message;
    throw new IngotError('SerializationException', `Could not parse the request body as JSON: ${reason}`);
  }
  if (!isPlainObject(parsed)) {
    throw new IngotError('SerializationException', 'The request body must be a JSON object');
  }
  return parsed;
}

interface Bindings {
  spec: OperationSpec;
  model: ServiceModel;
  /** Shape name of each input member. */
  shapeOf: (member: string) => string;
  uri: [member: string, label: string][];
  query: Map<string, string>;
  header: [member: string, name: string][];
  body: Map<string, string>;
}

function readLabels(b: Bindings, parts: InputParts, input: Record<string, unknown>, issues: ValidationIssues): void {
  for (const [member, label] of b.uri) {
    const raw = parts.rawLabels[label];
    if (raw === undefined) continue;
    let text: string;
    try {
      text = percentDecode(raw);
    } catch {
      issues.add(member, raw, 'Member must be valid percent-encoded UTF-8 in the request path');
      continue;
    }
    input[member] = coerceText(b.model, b.shapeOf(member), [text], member, issues);
  }
}

function readQuery(b: Bindings, parts: InputParts, input: Record<string, unknown>, issues: ValidationIssues): void {
  const byKey = new Map<string, string[]>();
  for (const { key, value } of parts.query) {
    if (!b.query.has(key)) {
      if (!/^x-amz-/i.test(key))
        issues.add(key, value, `Member must not be present: it is not a query parameter of ${b.spec.name}`);
    } else {
      const values = byKey.get(key);
      if (values) values.push(value);
      else byKey.set(key, [value]);
    }
  }
  for (const [key, values] of byKey) {
    const member = b.query.get(key) ?? key;
    input[member] = coerceText(b.model, b.shapeOf(member), values, member, issues);
  }
}

function readHeaders(b: Bindings, parts: InputParts, input: Record<string, unknown>, issues: ValidationIssues): void {
  for (const [member, name] of b.header) {
    const value = parts.header(name);
    if (value === undefined) continue;
    const isList = b.model.shapes[b.shapeOf(member)]?.type === 'list';
    input[member] = coerceText(
      b.model,
      b.shapeOf(member),
      isList ? value.split(',').map((v) => v.trim()) : [value],
      member,
      issues,
    );
  }
}

function readBody(b: Bindings, parts: InputParts, input: Record<string, unknown>, issues: ValidationIssues): void {
  const body = parseJsonBody(parts.body);
  for (const key of Object.keys(body)) {
    const member = b.body.get(key);
    if (member === undefined)
      issues.add(key, body[key], `Member must not be present: it is not a member of the ${b.spec.name} request body`);
    else input[member] = body[key];
  }
}

function bindingsOf(model: ServiceModel, spec: OperationSpec): Bindings {
  const structure = spec.input === null ? undefined : model.shapes[spec.input];
  const members = structure?.type === 'structure' ? structure.members : {};
  const bound = Object.entries(spec.inputMembers);
  const where = (location: string) =>
    bound.filter(([, b]) => b.location === location).map(([m, b]) => [m, b.locationName] as [string, string]);
  return {
    spec,
    model,
    shapeOf: (member) => members[member]?.shape ?? '',
    uri: where('uri'),
    header: where('header'),
    query: new Map(where('querystring').map(([m, name]) => [name, m])),
    body: new Map(where('body').map(([m, name]) => [name, m])),
  };
}

/** Compiled per operation: turns request parts into a validated input object. */
export function compileInputParser(
  model: ServiceModel,
  spec: OperationSpec,
  checks: ShapeChecks,
): (parts: InputParts) => unknown {
  const check = spec.input === null ? undefined : checks.forShape(spec.input);
  const b = bindingsOf(model, spec);
  return (parts) => {
    const issues = new ValidationIssues();
    const input: Record<string, unknown> = {};
    readLabels(b, parts, input, issues);
    readQuery(b, parts, input, issues);
    readHeaders(b, parts, input, issues);
    readBody(b, parts, input, issues);
    const result = check ? check(input, '', issues) : {};
    issues.throwIfAny();
    return result;
  };
}
