/** @module Matches (method, raw path) to an operation of the model, from its requestUri template. */
import type { OperationSpec } from '../../model/types.ts';
import type { OperationName } from '../../model/generated/shapes.ts';

export interface RouteMatch {
  operation: OperationName;
  spec: OperationSpec;
  /** URI label values, still percent-encoded exactly as sent. */
  rawLabels: Record<string, string>;
}

interface PatternRoute {
  operation: OperationName;
  spec: OperationSpec;
  method: string;
  regex: RegExp;
  labels: string[];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `/tags/{resourceArn}` → /^\/tags\/([^/]+)$/ ; a greedy `{key+}` label may span slashes. */
function compileTemplate(path: string): { regex: RegExp; labels: string[] } {
  const labels: string[] = [];
  let source = '';
  let last = 0;
  for (const match of path.matchAll(/\{([^}+]+)(\+?)\}/g)) {
    source += escapeRegex(path.slice(last, match.index));
    labels.push(match[1] ?? '');
    source += match[2] === '+' ? '(.+)' : '([^/]+)';
    last = match.index + match[0].length;
  }
  source += escapeRegex(path.slice(last));
  return { regex: new RegExp(`^${source}$`), labels };
}

export class RouteTable {
  readonly #exact = new Map<string, RouteMatch>();
  readonly #patterns: PatternRoute[] = [];

  constructor(operations: Readonly<Record<OperationName, OperationSpec>>) {
    for (const [name, spec] of Object.entries(operations) as [OperationName, OperationSpec][]) {
      const path = spec.requestUri.split('?')[0] ?? '/';
      if (!path.includes('{')) {
        this.#exact.set(`${spec.method} ${path}`, { operation: name, spec, rawLabels: {} });
      } else {
        this.#patterns.push({ operation: name, spec, method: spec.method, ...compileTemplate(path) });
      }
    }
  }

  match(method: string, rawPath: string): RouteMatch | undefined {
    const exact = this.#exact.get(`${method} ${rawPath}`);
    if (exact) return exact;
    for (const route of this.#patterns) {
      if (route.method !== method) continue;
      const m = route.regex.exec(rawPath);
      if (!m) continue;
      const rawLabels: Record<string, string> = {};
      route.labels.forEach((label, i) => {
        rawLabels[label] = m[i + 1] ?? '';
      });
      return { operation: route.operation, spec: route.spec, rawLabels };
    }
    return undefined;
  }
}
