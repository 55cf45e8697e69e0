/**
 * @module The events of a build log: lines in the store (one per `seq`, see store/types.ts), and
 * the wire form build hosts send them in (`ISO-TIMESTAMP MESSAGE`, as `ingot logs` prints them).
 */
import type { BuildLogLine } from '../../store/types.ts';

export interface LogEvent extends BuildLogLine {
  stream: string;
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/s;

/** Lines `ISO-TIMESTAMP MESSAGE` as events to store; a line without a timestamp takes the previous line's (or now). */
export function parseLogLines(lines: readonly string[], now = Date.now()): { timestamp: number; message: string }[] {
  let last = now;
  return lines.map((line) => {
    const m = LINE.exec(line);
    if (m) last = Date.parse(m[1]!);
    return { timestamp: last, message: m ? m[2]! : line };
  });
}

/** A stored line as `ingot logs` prints it. */
export const formatLogLine = (l: BuildLogLine): string => `${new Date(l.timestamp).toISOString()} ${l.message}`;

/**
 * CloudWatch's filter pattern, in the part that applies to text logs: space-separated terms that
 * must all appear (`"quoted phrases"` as one term, `-term` must not appear); empty matches all.
 */
export function matcher(pattern: string | undefined): (message: string) => boolean {
  const terms = [...(pattern ?? '').matchAll(/-?"[^"]*"|\S+/g)].map((m) => m[0]);
  if (!terms.length) return () => true;
  const checks = terms.map((t) => {
    const negated = t.startsWith('-');
    const body = (negated ? t.slice(1) : t).replace(/^"(.*)"$/, '$1');
    return (m: string) => m.includes(body) !== negated;
  });
  return (message) => checks.every((c) => c(message));
}
