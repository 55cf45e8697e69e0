/** @module Reads XCCDF rule results out of an OpenSCAP ARF/XCCDF results file into counts and a pass rate. */

export const XCCDF_RESULTS = [
  'pass',
  'fail',
  'error',
  'unknown',
  'notapplicable',
  'notchecked',
  'notselected',
  'informational',
  'fixed',
] as const;
export type XccdfResult = (typeof XCCDF_RESULTS)[number];

export interface RuleResult {
  /** Rule id without the `xccdf_org.ssgproject.content_rule_` prefix. */
  rule: string;
  result: XccdfResult;
  severity: string;
}

export interface XccdfSummary {
  /** pass / (pass + fail), 0..1 (0 when nothing was decided). */
  passRate: number;
  pass: number;
  fail: number;
  counts: Record<XccdfResult, number>;
  /** Evaluated rules (those selected by the profile), in document order. */
  rules: RuleResult[];
}

const RULE_PREFIX = 'xccdf_org.ssgproject.content_rule_';

/**
 * Parses `<rule-result idref=… severity=…>…<result>X</result>` elements (with or without a namespace prefix).
 * Regex parsing is enough here: OpenSCAP writes these elements in one fixed shape.
 */
export function parseXccdfResults(xml: string): XccdfSummary {
  const counts = Object.fromEntries(XCCDF_RESULTS.map((r) => [r, 0])) as Record<XccdfResult, number>;
  const rules: RuleResult[] = [];
  const re = /<(?:[\w-]+:)?rule-result\b([^>]*)>([\s\S]*?)<\/(?:[\w-]+:)?rule-result>/g;
  for (const m of xml.matchAll(re)) {
    const attrs = m[1] ?? '';
    const id = /\bidref="([^"]+)"/.exec(attrs)?.[1] ?? '';
    const result = /<(?:[\w-]+:)?result>\s*([a-z]+)\s*</.exec(m[2] ?? '')?.[1] as XccdfResult | undefined;
    if (!id || !result || !(result in counts)) continue;
    counts[result]++;
    if (result === 'notselected') continue;
    rules.push({
      rule: id.startsWith(RULE_PREFIX) ? id.slice(RULE_PREFIX.length) : id,
      result,
      severity: /\bseverity="([^"]+)"/.exec(attrs)?.[1] ?? 'unknown',
    });
  }
  const decided = counts.pass + counts.fail;
  return { passRate: decided ? counts.pass / decided : 0, pass: counts.pass, fail: counts.fail, counts, rules };
}
