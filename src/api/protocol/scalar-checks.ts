/** @module Compiled checks for the model's scalar shapes: strings, numbers, booleans, timestamps, blobs. */
import type { NumberShape, ScalarShape, StringShape } from '../../model/types.ts';
import { compileJavaRegex } from './java-regex.ts';
import type { ValidationIssues } from './issues.ts';

/** Checks `value` at `path`, records failures in `issues` and returns the value to pass on. */
export type Check = (value: unknown, path: string, issues: ValidationIssues) => unknown;

/** The string rules (length, enum, pattern) as messages, without the type check. */
export function compileStringRules(shape: StringShape): (value: string) => string[] {
  const pattern = shape.pattern === undefined ? undefined : compileJavaRegex(shape.pattern);
  const allowed = shape.enum === undefined ? undefined : new Set(shape.enum);
  const enumRule = `Member must satisfy enum value set: [${(shape.enum ?? []).join(', ')}]`;
  return (value) => {
    const failures: string[] = [];
    if (shape.min !== undefined && value.length < shape.min)
      failures.push(`Member must have length greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && value.length > shape.max)
      failures.push(`Member must have length less than or equal to ${shape.max}`);
    if (allowed && !allowed.has(value)) failures.push(enumRule);
    if (pattern && !pattern.test(value))
      failures.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
    return failures;
  };
}

export function compileStringCheck(shape: StringShape): Check {
  const rules = compileStringRules(shape);
  return (value, path, issues) => {
    if (typeof value !== 'string') {
      issues.add(path, value, 'Member must be of type string');
      return undefined;
    }
    for (const rule of rules(value)) issues.add(path, value, rule);
    return value;
  };
}

export function compileNumberCheck(shape: NumberShape): Check {
  const integral = shape.type === 'integer' || shape.type === 'long';
  const typeRule = integral ? `Member must be of type ${shape.type}` : 'Member must be a finite number';
  return (value, path, issues) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || (integral && !Number.isInteger(value))) {
      issues.add(path, value, typeRule);
      return undefined;
    }
    if (shape.min !== undefined && value < shape.min)
      issues.add(path, value, `Member must have value greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && value > shape.max)
      issues.add(path, value, `Member must have value less than or equal to ${shape.max}`);
    return value;
  };
}

function checkBoolean(value: unknown, path: string, issues: ValidationIssues): unknown {
  if (typeof value === 'boolean') return value;
  issues.add(path, value, 'Member must be of type boolean');
  return undefined;
}

/** rest-json sends timestamps as epoch seconds; an ISO 8601 string or a Date is accepted too. */
function checkTimestamp(value: unknown, path: string, issues: ValidationIssues): unknown {
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value * 1000);
  else if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) date = new Date(value);
  if (date === undefined || Number.isNaN(date.getTime())) {
    issues.add(path, value, 'Member must be a timestamp (epoch seconds or ISO 8601)');
    return undefined;
  }
  return date;
}

function checkBlob(value: unknown, path: string, issues: ValidationIssues): unknown {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value)) return Buffer.from(value, 'base64');
  issues.add(path, value, 'Member must be base64-encoded binary data');
  return undefined;
}

export function compileScalarCheck(shape: ScalarShape): Check {
  switch (shape.type) {
    case 'boolean':
      return checkBoolean;
    case 'timestamp':
      return checkTimestamp;
    case 'blob':
      return checkBlob;
  }
}
