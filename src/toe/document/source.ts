/** @module Reads YAML or JSON text into plain values while keeping a way back to line and column. */
import { isMap, isNode, isPair, isSeq, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { DocumentError, JsonValue } from './types.ts';

export type PathSegment = string | number;
export type DocPath = readonly PathSegment[];

/** `['phases', 0, 'steps', 2, 'inputs']` → `phases[0].steps[2].inputs` */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

export interface SourceText {
  value: unknown;
  /** Line and column (1-based) of the node at `path`, or of its nearest existing ancestor. */
  locate(path: DocPath, at?: 'key' | 'value'): { line: number; column: number };
  /** Syntax errors; when non-empty, `value` must not be trusted. */
  syntaxErrors: DocumentError[];
}

function childOf(node: unknown, seg: PathSegment, at: 'key' | 'value'): unknown {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === seg);
    if (!pair) return undefined;
    return at === 'key' ? pair.key : (pair.value ?? pair.key);
  }
  if (isSeq(node) && typeof seg === 'number') return node.items[seg];
  return undefined;
}

/** Alias uses a document may make before it counts as an alias bomb (the yaml library's guard). */
const MAX_ALIAS_COUNT = 100;

function documentProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/alias/i.test(message))
    return `not a usable YAML document: its aliases expand too much (more than ${MAX_ALIAS_COUNT} alias uses, the limit against alias bombs)`;
  if (err instanceof RangeError) return 'not a usable YAML document: it is nested too deeply';
  return `not a usable YAML document: ${message.split('\n')[0]}`;
}

export function readSource(text: string): SourceText {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxErrors: DocumentError[] = doc.errors.map((e) => ({
    path: '',
    ...position(e.pos[0]),
    message: `not valid YAML/JSON: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
  }));
  const locate = (path: DocPath, at: 'key' | 'value' = 'value') => {
    let node: unknown = doc.contents;
    let best: Node | null = isNode(node) ? node : null;
    for (let i = 0; i < path.length; i++) {
      node = childOf(node, path[i]!, i === path.length - 1 ? at : 'value');
      if (!isNode(node)) break;
      best = node;
    }
    return position(best?.range?.[0] ?? 0);
  };
  let value: unknown;
  if (!syntaxErrors.length) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // The yaml library throws for alias bombs (and a too deep document overflows the stack): both are the document's problem.
      syntaxErrors.push({ path: '', line: 1, column: 1, message: documentProblem(err) });
    }
  }
  return { value, locate, syntaxErrors };
}

/** True for a value JSON could hold (what inputs must be). */
export function isJsonValue(v: unknown): v is JsonValue {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return true;
  if (Array.isArray(v)) return v.every(isJsonValue);
  if (typeof v === 'object' && !(v instanceof Date)) return Object.values(v as object).every(isJsonValue);
  return false;
}
