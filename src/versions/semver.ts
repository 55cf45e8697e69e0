/**
 * @module Image Builder semantic versions: `MAJOR.MINOR.PATCH` with an automatic build number
 * (`1.0.0/3`), and `x` wildcards (`1.x.x`, `x.x.x`) that resolve to the newest match.
 */
import { IngotError } from '../errors/ingot-error.ts';

export type VersionTriple = readonly [number, number, number];
/** A wildcard pattern: null stands for `x`. */
export type VersionPattern = readonly [number | null, number | null, number | null];

const MAX_NODE = 2 ** 30 - 1;

export function parseVersion(text: string, field = 'semanticVersion'): VersionTriple {
  // No leading zeros: `01.0.0` would otherwise be a second name for `1.0.0`.
  const m = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/.exec(text);
  const nodes = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (!m || nodes.some((n) => n > MAX_NODE)) {
    throw new IngotError(
      'InvalidVersionNumberException',
      `The value supplied for parameter '${field}' is not valid: '${text}'. A semantic version is <major>.<minor>.<patch>, each a whole number from 0 to ${MAX_NODE} without leading zeros.`,
    );
  }
  return nodes as unknown as VersionTriple;
}

export function parseVersionPattern(text: string, field = 'semanticVersion'): VersionPattern {
  const m = /^(0|[1-9][0-9]*|x)\.(0|[1-9][0-9]*|x)\.(0|[1-9][0-9]*|x)$/.exec(text);
  if (!m) {
    throw new IngotError(
      'InvalidVersionNumberException',
      `The value supplied for parameter '${field}' is not valid: '${text}'. Expected <major>.<minor>.<patch> (whole numbers without leading zeros) where a node may be 'x'.`,
    );
  }
  const nodes = [m[1], m[2], m[3]].map((n) => (n === 'x' ? null : Number(n)));
  // A wildcard may only be followed by wildcards: 1.x.3 means nothing.
  const firstWild = nodes.indexOf(null);
  if (firstWild >= 0 && nodes.slice(firstWild).some((n) => n !== null)) {
    throw new IngotError(
      'InvalidVersionNumberException',
      `The version '${text}' is not valid: after an 'x' every node must be 'x'.`,
    );
  }
  return nodes as unknown as VersionPattern;
}

export const isWildcard = (text: string): boolean => text.split('.').includes('x');

export function matches(version: VersionTriple, pattern: VersionPattern): boolean {
  return pattern.every((p, i) => p === null || p === version[i]);
}

export function compareVersions(a: VersionTriple, b: VersionTriple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export const formatVersion = (v: VersionTriple): string => v.join('.');

/** The newest of `candidates` matching `pattern`, with its newest build. */
export function newestMatching<T extends { version: string; build: number | null }>(
  candidates: readonly T[],
  patternText: string,
): T | undefined {
  const pattern = parseVersionPattern(patternText);
  let best: T | undefined;
  for (const c of candidates) {
    const v = parseVersion(c.version);
    if (!matches(v, pattern)) continue;
    if (!best) best = c;
    else {
      const cmp = compareVersions(v, parseVersion(best.version));
      if (cmp > 0 || (cmp === 0 && (c.build ?? 0) > (best.build ?? 0))) best = c;
    }
  }
  return best;
}
