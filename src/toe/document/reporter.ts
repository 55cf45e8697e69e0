/** @module Collects validation errors, each pinned to a document path, line and column. */
import { formatPath } from './source.ts';
import type { DocPath, SourceText } from './source.ts';
import type { DocumentError } from './types.ts';

export class Reporter {
  readonly errors: DocumentError[] = [];
  readonly #source: SourceText;

  constructor(source: SourceText) {
    this.#source = source;
  }

  /** Report a problem with the value at `path`. */
  error(path: DocPath, message: string, at: 'key' | 'value' = 'value'): void {
    const where = formatPath(path);
    if (this.errors.some((e) => e.path === where && e.message === message)) return;
    this.errors.push({ path: where, ...this.#source.locate(path, at), message });
  }
}

export const describeType = (v: unknown): string =>
  v === null || v === undefined
    ? 'nothing'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'a mapping'
        : `${typeof v} ${JSON.stringify(v)}`;

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reports keys of `obj` that are not in `allowed`. */
export function checkKeys(
  r: Reporter,
  path: DocPath,
  obj: Record<string, unknown>,
  allowed: readonly string[],
  what: string,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      r.error([...path, key], `unknown ${what} field '${key}'; expected one of: ${allowed.join(', ')}`, 'key');
    }
  }
}

/** A string value, or numbers/booleans written without quotes (AWSTOE reads those as their text). */
export function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
