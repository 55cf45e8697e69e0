/**
 * @module The events of a build log: each line of `build.log` is `ISO-TIMESTAMP MESSAGE` (see
 * artifacts/output-dirs.ts); an event's id is its stream and line number, stable across calls.
 */
import { readFile } from 'node:fs/promises';
import type { LogStream } from './streams.ts';

export interface LogEvent {
  stream: string;
  timestamp: number;
  message: string;
  /** Position in the stream (0-based line), for ids and tokens. */
  index: number;
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/;

/** Parses a build log; a line without a timestamp takes the previous line's. */
export function parseLogText(stream: string, text: string): LogEvent[] {
  const out: LogEvent[] = [];
  let last = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = LINE.exec(line);
    if (m) last = Date.parse(m[1]!);
    out.push({ stream, timestamp: last, message: m ? m[2]! : line, index: out.length });
  }
  return out;
}

export async function readEvents(s: LogStream): Promise<LogEvent[]> {
  const text = await readFile(s.file, 'utf8').catch(() => '');
  return parseLogText(s.name, text);
}

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
