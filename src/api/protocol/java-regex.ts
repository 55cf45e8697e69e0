/**
 * @module Translates the model's Java-style `pattern` regexes into JavaScript RegExps.
 *
 * The model's patterns are written for java.util.regex and, per Smithy's pattern trait, are
 * matched with find() semantics (not implicitly anchored), which is what RegExp.test does. The
 * constructs that differ between the two engines are rewritten:
 * - `\s` is ASCII-only in Java (`[ \t\n\x0B\f\r]`) but Unicode-aware in JS: made explicit.
 * - `\A`, `\z`, `\Z` (input anchors) become `^`, `$`, `(?=\n?$)`.
 * - possessive quantifiers (`*+`, `++`, `?+`, `{n}+`) lose their `+` (JS has none; the set of
 *   matched strings only differs for patterns that rely on giving up backtracking).
 * - a leading `(?i)` becomes the `i` flag.
 * - POSIX classes `\p{Alpha}`, `\p{Digit}`, `\p{Alnum}`, `\p{Upper}`, `\p{Lower}`, `\p{Punct}`.
 * One deliberate difference is kept: Java's `$` also matches before a final line terminator, JS's
 * only at the very end, so values with a trailing newline are rejected here (safer for names that
 * end up in paths and logs).
 * The result is compiled without the `u` flag, so Java's lenient `[a-z0-9-_]` (a literal `-`
 * after a range) keeps its meaning.
 */

const JAVA_WHITESPACE = ' \\t\\n\\x0B\\f\\r';
const POSIX_CLASSES: Record<string, string> = {
  Alpha: 'A-Za-z',
  Digit: '0-9',
  Alnum: 'A-Za-z0-9',
  Upper: 'A-Z',
  Lower: 'a-z',
  Punct: '!-\\/:-@\\[-`{-~',
  Space: JAVA_WHITESPACE,
  XDigit: '0-9a-fA-F',
};

function translateEscape(pattern: string, i: number, inClass: boolean): { text: string; length: number } {
  const next = pattern[i + 1] ?? '';
  if (next === 's') return { text: inClass ? JAVA_WHITESPACE : `[${JAVA_WHITESPACE}]`, length: 2 };
  if (!inClass && next === 'A') return { text: '^', length: 2 };
  if (!inClass && next === 'z') return { text: '$', length: 2 };
  if (!inClass && next === 'Z') return { text: '(?=\\n?$)', length: 2 };
  if (next === 'p' || next === 'P') {
    const match = /^\{(\w+)\}/.exec(pattern.slice(i + 2));
    const chars = match ? POSIX_CLASSES[match[1] ?? ''] : undefined;
    if (!match || chars === undefined) throw new Error(`unsupported Java regex class in /${pattern}/`);
    const negated = next === 'P';
    if (negated && inClass) throw new Error(`unsupported negated class inside a class in /${pattern}/`);
    const text = inClass && !negated ? chars : `[${negated ? '^' : ''}${chars}]`;
    return { text, length: 2 + match[0].length };
  }
  return { text: `\\${next}`, length: 2 };
}

/** The JavaScript equivalent of a java.util.regex pattern string. */
export function translateJavaRegex(pattern: string): { source: string; flags: string } {
  let flags = '';
  let body = pattern;
  if (body.startsWith('(?i)')) {
    flags = 'i';
    body = body.slice(4);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; ) {
    const ch = body[i] ?? '';
    if (ch === '\\') {
      const { text, length } = translateEscape(body, i, inClass);
      out += text;
      i += length;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      if (ch === '&' && body[i + 1] === '&') throw new Error(`unsupported Java class intersection in /${pattern}/`);
      if (ch === '[') throw new Error(`unsupported Java nested class (union) in /${pattern}/`);
    } else if (ch === '[') {
      inClass = true;
      if (body[i + 1] === ']' || (body[i + 1] === '^' && body[i + 2] === ']')) {
        // Java allows a literal ']' first in a class; JS needs it escaped.
        const prefix = body[i + 1] === '^' ? '[^\\]' : '[\\]';
        out += prefix;
        i += prefix.length - 1;
        continue;
      }
    } else if (ch === '+' && /[*+?}]/.test(body[i - 1] ?? '') && body[i - 2] !== '\\') {
      i += 1; // possessive quantifier: drop the '+'
      continue;
    }
    out += ch;
    i += 1;
  }
  return { source: out, flags };
}

/** Compiles a model pattern; throws (at start-up) if the translation is not a valid JS regex. */
export function compileJavaRegex(pattern: string): RegExp {
  const { source, flags } = translateJavaRegex(pattern);
  return new RegExp(source, flags);
}
