/** @module Reads condition expressions (comparison and logical operators) used by `if` and the Assert action. */
import { isJsonValue } from './source.ts';
import type { DocPath } from './source.ts';
import { describeType, isRecord } from './reporter.ts';
import { COMPARISON_OPERATORS, STEP_DECISIONS } from './types.ts';
import type { Comparison, ComparisonOperator, Condition, StepCondition, StepDecision } from './types.ts';

/** Operators that test one value only (no `value` field). */
const UNARY: readonly string[] = ['stringIsEmpty', 'stringIsWhitespace', 'binaryExists', 'fileExists', 'folderExists'];
const FILE_HASH: readonly string[] = ['fileMD5Equals', 'fileSHA1Equals', 'fileSHA256Equals', 'fileSHA512Equals'];
const LOGICAL = ['and', 'or', 'not'] as const;
const MAX_DEPTH = 4;

export type ReportFn = (path: DocPath, message: string) => void;

const isComparison = (k: string): k is ComparisonOperator => (COMPARISON_OPERATORS as readonly string[]).includes(k);

/** Reads one expression: exactly one operator key, plus `value` (or `path` for file hashes) when the operator needs it. */
export function readCondition(raw: unknown, path: DocPath, report: ReportFn, depth = 1): Condition | undefined {
  if (depth > MAX_DEPTH) {
    report(path, `conditions nest at most ${MAX_DEPTH} levels of and/or/not`);
    return undefined;
  }
  if (!isRecord(raw)) {
    report(path, `expected a condition mapping such as '{ stringEquals: x, value: y }', found ${describeType(raw)}`);
    return undefined;
  }
  const ops = Object.keys(raw).filter((k) => isComparison(k) || (LOGICAL as readonly string[]).includes(k));
  if (ops.length !== 1) {
    report(
      path,
      ops.length === 0
        ? `expected exactly one operator (${[...LOGICAL, ...COMPARISON_OPERATORS].join(', ')}), found keys: ${Object.keys(raw).join(', ') || 'none'}`
        : `expected exactly one operator at this level, found ${ops.join(', ')}; combine them with 'and' or 'or'`,
    );
    return undefined;
  }
  const op = ops[0]! as ComparisonOperator | (typeof LOGICAL)[number];
  const operandPath = [...path, op];
  if (op === 'and' || op === 'or') {
    const list = raw[op];
    if (!Array.isArray(list) || list.length === 0) {
      report(operandPath, `'${op}' takes a non-empty list of conditions, found ${describeType(list)}`);
      return undefined;
    }
    const operands = list.map((c, i) => readCondition(c, [...operandPath, i], report, depth + 1));
    return operands.every((c) => c) ? { op, operands: operands as Condition[] } : undefined;
  }
  if (op === 'not') {
    const operand = readCondition(raw.not, operandPath, report, depth + 1);
    return operand ? { op, operand } : undefined;
  }
  const allowed = [op, ...(UNARY.includes(op) ? [] : FILE_HASH.includes(op) ? ['path'] : ['value'])];
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key) && key !== 'then' && key !== 'else')
      report([...path, key], `'${key}' does not belong with '${op}'; expected ${allowed.join(', ')}`);
  }
  const operand = raw[op];
  if (!isJsonValue(operand) || Array.isArray(operand) || isRecord(operand)) {
    report(operandPath, `'${op}' takes a single string or number, found ${describeType(operand)}`);
    return undefined;
  }
  const cond: Comparison = { op, operand };
  for (const extra of allowed.slice(1) as Array<'value' | 'path'>) {
    const v = raw[extra];
    if (v === undefined || !isJsonValue(v) || Array.isArray(v) || isRecord(v)) {
      report([...path, extra], `'${op}' needs '${extra}' (a string or number), found ${describeType(v)}`);
      return undefined;
    }
    cond[extra] = v;
  }
  if (op === 'patternMatches' && typeof operand === 'string' && !operand.includes('{{')) {
    try {
      new RegExp(operand);
    } catch {
      report(operandPath, `'${operand}' is not a valid regular expression`);
    }
  }
  return cond;
}

function readDecision(raw: unknown, path: DocPath, report: ReportFn, fallback: StepDecision): StepDecision {
  if (raw === undefined) return fallback;
  if ((STEP_DECISIONS as readonly unknown[]).includes(raw)) return raw as StepDecision;
  report(path, `expected one of ${STEP_DECISIONS.join(', ')}, found ${describeType(raw)}`);
  return fallback;
}

/** A step's `if`: a condition mapping (or a one-item list of one), with optional `then` / `else` decisions. */
export function readStepCondition(raw: unknown, path: DocPath, report: ReportFn): StepCondition | undefined {
  let at = path;
  if (Array.isArray(raw)) {
    if (raw.length !== 1) {
      report(path, `'if' holds exactly one condition, found a list of ${raw.length}`);
      return undefined;
    }
    raw = raw[0];
    at = [...path, 0];
  }
  const condition = readCondition(raw, at, report);
  if (!condition || !isRecord(raw)) return undefined;
  return {
    condition,
    then: readDecision(raw.then, [...at, 'then'], report, 'Execute'),
    else: readDecision(raw.else, [...at, 'else'], report, 'Skip'),
  };
}
