/** @module Image Builder template placeholders (`{{{ imagebuilder:parentImage }}}` and friends). */
import { templateError } from './lexer.ts';

export const PLACEHOLDERS = ['parentImage', 'environments', 'components'] as const;
export type PlaceholderName = (typeof PLACEHOLDERS)[number];

const PATTERN = /\{\{\{\s*imagebuilder:([A-Za-z]+)\s*\}\}\}/g;

function checkName(name: string, line: number): PlaceholderName {
  if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
    throw templateError(line, `unknown placeholder {{{ imagebuilder:${name} }}} (known: ${PLACEHOLDERS.join(', ')})`);
  }
  return name as PlaceholderName;
}

/** The placeholder when `text` is exactly one placeholder (surrounding whitespace allowed), else null. */
export function wholePlaceholder(text: string, line: number): PlaceholderName | null {
  const m = /^\{\{\{\s*imagebuilder:([A-Za-z]+)\s*\}\}\}$/.exec(text.trim());
  return m ? checkName(m[1]!, line) : null;
}

/** Every placeholder named in `text` (validated), in order. */
export function placeholdersIn(text: string, line: number): PlaceholderName[] {
  return [...text.matchAll(PATTERN)].map((m) => checkName(m[1]!, line));
}

/** Replaces placeholders with values (e.g. parentImage → the resolved image reference). */
export function fillPlaceholders(text: string, values: Partial<Record<PlaceholderName, string>>): string {
  return text.replace(PATTERN, (whole, name: string) => values[name as PlaceholderName] ?? whole);
}
