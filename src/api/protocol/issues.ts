/** @module Collects validation failures and words them the way AWS's front end does. */
import { IngotError } from '../../errors/ingot-error.ts';

/** Beyond this many failures the rest are not reported (keeps hostile inputs cheap). */
const MAX_ISSUES = 10;
const MAX_VALUE_CHARS = 256;

/** AWS's rendering of the offending value: `'text'`, `null`, or a bracketed list. */
export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  else if (typeof value === 'object') text = safeJson(value);
  else text = String(value);
  if (text.length > MAX_VALUE_CHARS) text = `${text.slice(0, MAX_VALUE_CHARS)}...`;
  return `'${text}'`;
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value); // cyclic or too deeply nested to print
  }
}

/** Path of a member below `path` (`a.b`), as in `'distributions.1.member.region'`. */
export function memberPath(path: string, member: string): string {
  return path === '' ? member : `${path}.${member}`;
}

export class ValidationIssues {
  readonly messages: string[] = [];
  readonly #paths = new Set<string>();
  #firstPath: string | undefined;

  get full(): boolean {
    return this.messages.length >= MAX_ISSUES;
  }

  /** Records `Value <v> at '<path>' failed to satisfy constraint: <rule>`. */
  add(path: string, value: unknown, rule: string): void {
    this.#paths.add(path);
    this.#firstPath ??= path;
    if (this.full) return;
    this.messages.push(`Value ${renderValue(value)} at '${path}' failed to satisfy constraint: ${rule}`);
  }

  /** Whether a failure was already recorded at exactly this path (so "must not be null" is not piled on). */
  reported(path: string): boolean {
    return this.#paths.has(path);
  }

  /** Records a failure that has its own wording (e.g. a malformed query parameter). */
  addRaw(message: string): void {
    if (!this.full) this.messages.push(message);
  }

  get count(): number {
    return this.messages.length;
  }

  /**
   * An InvalidParameterValueException, as Image Builder answers a value that breaks the model's
   * constraints (its model defines no ValidationException): `The value supplied for parameter 'P'
   * is not valid. N validation error(s) detected: a; b`, P being the first failing member.
   */
  toError(): IngotError {
    const n = this.messages.length;
    const parameter = this.#firstPath?.split('.')[0];
    const lead = parameter ? `The value supplied for parameter '${parameter}' is not valid. ` : '';
    const head = `${n} validation error${n === 1 ? '' : 's'} detected: `;
    return new IngotError('InvalidParameterValueException', lead + head + this.messages.join('; '), {
      data: { issues: [...this.messages] },
    });
  }

  /** Throws the InvalidParameterValueException when anything was recorded. */
  throwIfAny(): void {
    if (this.messages.length > 0) throw this.toError();
  }
}
