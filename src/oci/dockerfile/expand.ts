/** @module Dockerfile variable substitution: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alternative}`. */
import { templateError } from './lexer.ts';

/** Expands variables from `vars` in `text`; unset variables become empty strings; `\$` stays a literal `$`. */
export function expandVariables(text: string, vars: ReadonlyMap<string, string>, line: number, escape = '\\'): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === escape && text[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close === -1) throw templateError(line, `unterminated \${ in '${text}'`);
      out += braced(text.slice(i + 2, close), vars, line);
      i = close;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (!m) {
      out += '$';
      continue;
    }
    out += vars.get(m[0]) ?? '';
    i += m[0].length;
  }
  return out;
}

function braced(body: string, vars: ReadonlyMap<string, string>, line: number): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([\s\S]*))?$/.exec(body);
  if (!m) throw templateError(line, `unsupported variable expression \${${body}}`);
  const value = vars.get(m[1]!);
  if (m[2] === '-') return value ? value : m[3]!;
  if (m[2] === '+') return value ? m[3]! : '';
  return value ?? '';
}
