/** @module The `{{ ... }}` reference grammar: variables, loop iteration values and chaining expressions. */

export type Reference =
  | { kind: 'variable'; name: string }
  | { kind: 'loop'; loopName: string; member: 'index' | 'value' }
  | { kind: 'chain'; phase: string; step: string; io: 'inputs' | 'outputs'; index?: number; field: string };

export interface ReferenceMatch {
  /** The whole `{{ ... }}` text. */
  raw: string;
  /** The trimmed text between the braces. */
  expr: string;
  ref: Reference | undefined;
}

const WORD = '[A-Za-z0-9_-]+';
const VARIABLE = new RegExp(`^${WORD}$`);
const LOOP = new RegExp(`^(${WORD})\\.(index|value)$`);
const CHAIN = new RegExp(`^(${WORD})\\.(${WORD})\\.(inputs|outputs)(?:\\[(\\d+)\\])?\\.(${WORD})$`);
/** Text that looks like an AWSTOE reference (anything else in braces, e.g. `{{.Go}}` templates, is left alone). */
const REFERENCE_LIKE = new RegExp(`^${WORD}(\\.${WORD}|\\[\\d+\\])*$`);

export function classifyReference(expr: string): Reference | undefined {
  let m: RegExpExecArray | null;
  if ((m = CHAIN.exec(expr))) {
    const chain: Reference = {
      kind: 'chain',
      phase: m[1]!,
      step: m[2]!,
      io: m[3] as 'inputs' | 'outputs',
      field: m[5]!,
    };
    if (m[4] !== undefined) chain.index = Number(m[4]);
    return chain;
  }
  if ((m = LOOP.exec(expr))) return { kind: 'loop', loopName: m[1]!, member: m[2] as 'index' | 'value' };
  if (VARIABLE.test(expr)) return { kind: 'variable', name: expr };
  return undefined;
}

/** Every `{{ ... }}` in `text` that has the shape of a reference. */
export function findReferences(text: string): ReferenceMatch[] {
  const out: ReferenceMatch[] = [];
  for (const m of text.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
    const expr = m[1]!;
    if (!REFERENCE_LIKE.test(expr)) continue;
    out.push({ raw: m[0], expr, ref: classifyReference(expr) });
  }
  return out;
}

/** Replaces each reference for which `resolve` returns a string; others are left as written. */
export function replaceReferences(text: string, resolve: (ref: Reference, expr: string) => string | undefined): string {
  return text.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (whole, expr: string) => {
    if (!REFERENCE_LIKE.test(expr)) return whole;
    const ref = classifyReference(expr);
    const value = ref ? resolve(ref, expr) : undefined;
    return value ?? whole;
  });
}
