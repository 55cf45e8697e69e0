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

/** Compiled per operation: turns request parts into a validated input object. */
export function compileInputParser(model: ServiceModel, spec: OperationSpec, checks: ShapeChecks): (parts: InputParts) => unknown {
  const inputShape = spec.input;
  const check = inputShape === null ? undefined : checks.forShape(inputShape);
  const structure = inputShape === null ? undefined : model.shapes[inputShape];
  const memberShape = (member: string): string =>
    structure?.type === 'structure' ? (structure.members[member]?.shape ?? '') : '';
  const bound = Object.entries(spec.inputMembers);
  const bodyKeys = new Map(bound.filter(([, b]) => b.location === 'body').map(([m, b]) => [b.locationName, m] as const));
  const queryKeys = new Map(bound.filter(([, b]) => b.location === 'querystring').map(([m, b]) => [b.locationName, m] as const));
  const uriMembers = bound.filter(([, b]) => b.location === 'uri');
  const headerMembers = bound.filter(([, b]) => b.location === 'header');

  return (parts) => {
    const issues = new ValidationIssues();
    const input: Record<string, unknown> = {};
    for (const [member, binding] of uriMembers) {
      const raw = parts.rawLabels[binding.locationName];
      if (raw === undefined) continue;
      try {
        input[member] = coerceText(model, memberShape(member), [percentDecode(raw)], member, issues);
      } catch {
        issues.add(member, raw, 'Member must be valid percent-encoded UTF-8 in the request path');
      }
    }
    const queryValues = new Map<string, string[]>();
    for (const { key, value } of parts.query) {
      if (queryKeys.has(key)) queryValues.set(key, [...(queryValues.get(key) ?? []), value]);
      else if (!/^x-amz-/i.test(key)) issues.add(key, value, `Member must not be present: it is not a query parameter of ${spec.name}`);
    }
    for (const [key, values] of queryValues) {
      const member = queryKeys.get(key) ?? key;
      input[member] = coerceText(model, memberShape(member), values, member, issues);
    }
    for (const [member, binding] of headerMembers) {
      const value = parts.header(binding.locationName);
      if (value === undefined) continue;
      const values = model.shapes[memberShape(member)]?.type === 'list' ? value.split(',').map((v) => v.trim()) : [value];
      input[member] = coerceText(model, memberShape(member), values, member, issues);
    }
    const body = parseJsonBody(parts.body);
    for (const key of Object.keys(body)) {
      const member = bodyKeys.get(key);
      if (member === undefined) issues.add(key, body[key], `Member must not be present: it is not a member of the ${spec.name} request body`);
      else input[member] = body[key];
    }
    const result = check ? check(input, '', issues) : {};
    issues.throwIfAny();
    return result;
  };
}
