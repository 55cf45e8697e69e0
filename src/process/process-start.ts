/** @module A process's start time (from /proc/PID/stat), so a recycled pid is never taken for the process that owned something. */
import { readFileSync } from 'node:fs';

/** The start time of `pid` in clock ticks since boot, or '' when no such process runs. */
export function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}
