/** @module Dockerfile lexing: logical lines (continuations, comments, escape directive), words, exec-form arrays. */
import { IngotError } from '../../errors/ingot-error.ts';

export interface LogicalLine {
  /** 1-based line where the instruction starts. */
  line: number;
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  rest: string;
}

export function templateError(line: number, message: string): IngotError {
  return new IngotError('invalid-input', `dockerfileTemplateData line ${line}: ${message}`, {
    data: { field: 'dockerfileTemplateData', line },
  });
}

/** Reads a `# escape=<c>` parser directive from the top of the file (default backslash). */
function escapeChar(lines: readonly string[]): string {
  for (const raw of lines) {
    const m = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(raw.trim());
    if (!m) break;
    if (m[1]!.toLowerCase() === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw templateError(1, `escape directive must be \\ or \` (got '${m[2]}')`);
      return m[2]!;
    }
  }
  return '\\';
}

/** Splits a Dockerfile into instructions; comment and blank lines are dropped (also inside continuations). */
export function logicalLines(text: string): { lines: LogicalLine[]; escape: string } {
  const raw = text.replace(/\r\n?/g, '\n').split('\n');
  const escape = escapeChar(raw);
  const out: LogicalLine[] = [];
  let current: { line: number; text: string } | null = null;
  raw.forEach((source, index) => {
    const trimmed = source.trim();
    // Comments and blank lines are skipped everywhere, also between continued lines (like Docker).
    if (trimmed.startsWith('#') || trimmed === '') return;
    const end = source.trimEnd();
    const continues = end.endsWith(escape);
    const piece = continues ? end.slice(0, -1) : end;
    current =
      current === null
        ? { line: index + 1, text: piece.trimStart() }
        : { line: current.line, text: current.text + piece };
    if (continues) return;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(current.text.trim());
    if (m) out.push({ line: current.line, keyword: m[1]!, rest: m[2]!.trim() });
    current = null;
  });
  const pending = current as { line: number; text: string } | null;
  if (pending) throw templateError(pending.line, 'instruction ends with a line continuation but nothing follows');
  return { lines: out, escape };
}

/** Splits on whitespace, honouring single/double quotes and the escape character; quotes are removed. */
export function splitWords(text: string, line: number, escape = '\\'): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === escape && quote !== "'" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (quote) {
      if (c === quote) quote = null;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw templateError(line, `unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

/** A JSON array of strings (`["nginx", "-g", "daemon off;"]`), or null when `text` is not exec form. */
export function execForm(text: string): string[] | null {
  if (!text.startsWith('[')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
  } catch {
    return null;
  }
}

/** `KEY=VALUE` pairs (ENV, LABEL, ARG); a word without `=` is an error unless `allowBare` (ARG NAME). */
export function keyValues(words: readonly string[], line: number, what: string): Array<[string, string]> {
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw templateError(line, `${what} expects KEY=VALUE (got '${w}')`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}
