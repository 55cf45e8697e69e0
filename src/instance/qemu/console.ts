/** @module Reads the tail of a VM's serial console log (for boot errors and kernel panics). */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** The guest kernel's panic line, if the console shows one (the VM will never answer). */
export function panicIn(consoleLog: string): string | undefined {
  const text = readConsoleTail(consoleLog);
  const line = text.split('\n').find((l) => l.includes('Kernel panic - not syncing'));
  return line ? `the guest kernel panicked: ${line.replace(/^.*Kernel panic - not syncing: /, '').trim()}` : undefined;
}

export function readConsoleTail(file: string): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    try {
      const length = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}
