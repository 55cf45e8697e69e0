/** @module Evaluates `if` conditions and Assert expressions (file checks run inside the instance). */
import type { Comparison, Condition, JsonValue } from '../document/types.ts';
import type { ActionContext } from '../actions/define.ts';
import { sh } from '../actions/shell.ts';

type Ctx = Pick<ActionContext, 'instance' | 'signal'> & Partial<ActionContext>;

const text = (v: JsonValue | undefined): string => (v === undefined || v === null ? '' : String(v));
const num = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : text(v).trim() === '' ? NaN : Number(v));

/**
 * String comparisons ignore case (AWSTOE: "String comparisons are not case sensitive"). Two-value
 * operators read "<operator value> OP <value field>", e.g. `numberLessThan: 2, value: 3` is true.
 */
function compareStrings(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

const HASH_TOOL = {
  fileMD5Equals: 'md5sum',
  fileSHA1Equals: 'sha1sum',
  fileSHA256Equals: 'sha256sum',
  fileSHA512Equals: 'sha512sum',
} as const;

async function testInInstance(ctx: Ctx, script: string, args: string[]): Promise<boolean> {
  const result = await sh(ctx as ActionContext, script, args);
  return result.exitCode === 0;
}

export async function evaluateCondition(c: Condition, ctx: Ctx): Promise<boolean> {
  switch (c.op) {
    case 'and': {
      for (const o of c.operands) if (!(await evaluateCondition(o, ctx))) return false;
      return true;
    }
    case 'or': {
      for (const o of c.operands) if (await evaluateCondition(o, ctx)) return true;
      return false;
    }
    case 'not':
      return !(await evaluateCondition(c.operand, ctx));
    case 'stringIsEmpty':
      return text(c.operand) === '';
    case 'stringIsWhitespace':
      return /^\s+$/.test(text(c.operand));
    case 'stringEquals':
      return compareStrings(text(c.operand), text(c.value)) === 0;
    case 'stringLessThan':
      return compareStrings(text(c.operand), text(c.value)) < 0;
    case 'stringLessThanEquals':
      return compareStrings(text(c.operand), text(c.value)) <= 0;
    case 'stringGreaterThan':
      return compareStrings(text(c.operand), text(c.value)) > 0;
    case 'stringGreaterThanEquals':
      return compareStrings(text(c.operand), text(c.value)) >= 0;
    case 'patternMatches':
      return new RegExp(text(c.operand)).test(text(c.value));
    case 'numberEquals':
      return num(c.operand) === num(c.value);
    case 'numberLessThan':
      return num(c.operand) < num(c.value);
    case 'numberLessThanEquals':
      return num(c.operand) <= num(c.value);
    case 'numberGreaterThan':
      return num(c.operand) > num(c.value);
    case 'numberGreaterThanEquals':
      return num(c.operand) >= num(c.value);
    case 'binaryExists':
      return testInInstance(ctx, 'command -v -- "$1" >/dev/null 2>&1', [text(c.operand)]);
    case 'fileExists':
      return testInInstance(ctx, '[ -f "$1" ]', [text(c.operand)]);
    case 'folderExists':
      return testInInstance(ctx, '[ -d "$1" ]', [text(c.operand)]);
    case 'fileMD5Equals':
    case 'fileSHA1Equals':
    case 'fileSHA256Equals':
    case 'fileSHA512Equals': {
      const result = await sh(ctx as ActionContext, '"$1" -- "$2" 2>/dev/null', [HASH_TOOL[c.op], text(c.path)]);
      return (
        result.exitCode === 0 && result.stdout.split(/\s/)[0]!.toLowerCase() === text(c.operand).trim().toLowerCase()
      );
    }
  }
}

/** One line that says what was compared (for failure messages). */
export function describeCondition(c: Condition): string {
  if (c.op === 'and' || c.op === 'or') return `${c.op}(${c.operands.map(describeCondition).join(', ')})`;
  if (c.op === 'not') return `not(${describeCondition(c.operand)})`;
  const cmp = c as Comparison;
  const extra =
    cmp.value !== undefined
      ? ` value: ${JSON.stringify(cmp.value)}`
      : cmp.path !== undefined
        ? ` path: ${JSON.stringify(cmp.path)}`
        : '';
  return `${cmp.op}: ${JSON.stringify(cmp.operand)}${extra}`;
}
