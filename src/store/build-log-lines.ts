/** @module What both stores do the same to build-log lines: cut long lines, count bytes, the default bound. */
import { BUILD_LOG_MAX_LINES } from '../config/settings.ts';
import { BUILD_LOG_MAX_LINE_CHARS } from './types.ts';

export interface PreparedLines {
  timestamps: number[];
  messages: string[];
  bytes: number;
  keep: number;
}

/** Lines as stored: each cut to BUILD_LOG_MAX_LINE_CHARS (marked), newlines as spaces; their UTF-8 size. */
export function prepareLines(
  lines: readonly { timestamp: number; message: string }[],
  keep = BUILD_LOG_MAX_LINES,
): PreparedLines {
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`keep must be a whole number of lines, not ${keep}`);
  const timestamps: number[] = [];
  const messages: string[] = [];
  let bytes = 0;
  for (const l of lines) {
    let m = l.message.replace(/[\r\n]/g, ' ');
    if (m.length > BUILD_LOG_MAX_LINE_CHARS) m = `${m.slice(0, BUILD_LOG_MAX_LINE_CHARS)} …(line cut)`;
    timestamps.push(Number.isFinite(l.timestamp) ? Math.trunc(l.timestamp) : Date.now());
    messages.push(m);
    bytes += Buffer.byteLength(m);
  }
  return { timestamps, messages, bytes, keep };
}

/** Sentinels for an open range (both stores compare BIGINT / INTEGER columns with them). */
export const SEQ_MAX = Number.MAX_SAFE_INTEGER;
export const TIME_MIN = -Number.MAX_SAFE_INTEGER;
export const TIME_MAX = Number.MAX_SAFE_INTEGER;
