/** @module Reads a step's `loop`: `for` (integer range), `forEach` (list) or `forEach` with a delimited `list`. */
import { asText, checkKeys, describeType, isRecord } from './reporter.ts';
import type { Reporter } from './reporter.ts';
import type { DocPath } from './source.ts';
import type { Loop } from './types.ts';

const DELIMITERS = ['.', ',', ';', ':', '\n', '\t', ' ', '-', '_'];

function readInt(r: Reporter, path: DocPath, v: unknown, what: string): number | undefined {
  if (Number.isInteger(v)) return v as number;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v);
  r.error(path, `${what} must be an integer (chaining expressions are not allowed here), found ${describeType(v)}`);
  return undefined;
}

function readFor(r: Reporter, path: DocPath, raw: unknown): Loop | undefined {
  if (!isRecord(raw)) {
    r.error(path, `'for' needs a mapping { start, end, updateBy }, found ${describeType(raw)}`);
    return undefined;
  }
  checkKeys(r, path, raw, ['start', 'end', 'updateBy'], 'for loop');
  const start = readInt(r, [...path, 'start'], raw.start, 'start');
  const end = readInt(r, [...path, 'end'], raw.end, 'end');
  const updateBy = readInt(r, [...path, 'updateBy'], raw.updateBy, 'updateBy');
  if (start === undefined || end === undefined || updateBy === undefined) return undefined;
  if (updateBy === 0 || (end - start) * updateBy < 0) {
    r.error(
      [...path, 'updateBy'],
      `updateBy ${updateBy} never takes ${start} to ${end}; it must be non-zero and move start towards end`,
    );
    return undefined;
  }
  return { kind: 'for', start, end, updateBy };
}

function readForEach(r: Reporter, path: DocPath, raw: unknown): Loop | undefined {
  if (Array.isArray(raw)) {
    const items = raw.map((v, i) => {
      const text = asText(v);
      if (text === undefined) r.error([...path, i], `forEach items must be strings, found ${describeType(v)}`);
      return text ?? '';
    });
    if (items.length === 0) r.error(path, 'forEach needs at least one item');
    return { kind: 'forEach', items };
  }
  if (isRecord(raw)) {
    checkKeys(r, path, raw, ['list', 'delimiter'], 'forEach');
    const list = asText(raw.list);
    if (list === undefined) {
      r.error([...path, 'list'], `forEach needs 'list', a delimited string, found ${describeType(raw.list)}`);
      return undefined;
    }
    const delimiter = raw.delimiter === undefined ? ',' : asText(raw.delimiter);
    if (delimiter === undefined || !DELIMITERS.includes(delimiter)) {
      r.error(
        [...path, 'delimiter'],
        `delimiter must be one character of ${JSON.stringify(DELIMITERS.join(''))}, found ${describeType(raw.delimiter)}`,
      );
      return undefined;
    }
    return { kind: 'forEachList', list, delimiter };
  }
  r.error(path, `forEach takes a list of strings or { list, delimiter }, found ${describeType(raw)}`);
  return undefined;
}

export function readLoop(r: Reporter, path: DocPath, raw: unknown): Loop | undefined {
  if (!isRecord(raw)) {
    r.error(path, `loop must be a mapping with 'for' or 'forEach', found ${describeType(raw)}`);
    return undefined;
  }
  checkKeys(r, path, raw, ['name', 'for', 'forEach'], 'loop');
  const hasFor = raw.for !== undefined;
  const hasForEach = raw.forEach !== undefined;
  if (hasFor === hasForEach) {
    r.error(path, "loop needs exactly one of 'for' or 'forEach'");
    return undefined;
  }
  const loop = hasFor ? readFor(r, [...path, 'for'], raw.for) : readForEach(r, [...path, 'forEach'], raw.forEach);
  if (loop && raw.name !== undefined) {
    const name = asText(raw.name);
    if (name === undefined || !/^[A-Za-z0-9_-]+$/.test(name) || name === 'loop') {
      r.error(
        [...path, 'name'],
        `loop name must be letters, digits, '-' or '_' (and not 'loop'), found ${describeType(raw.name)}`,
      );
    } else loop.name = name;
  }
  return loop;
}
