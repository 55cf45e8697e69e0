/** @module Reads the tail of a VM's serial console log (for boot errors and kernel panics). */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** The guest kernel's panic line, if the console shows one (the VM will never answer). */
export function panicIn(consoleLog: string): string | undefined {
  const text = readConsoleTail(consoleLog);
  const line = text.split('\n').find((l) => l.includes('Kernel panic - not syncing'));
  return line ? `the guest kernel panicked: ${line.replace(/^.*Kernel panic - not syncing: /, '').trim()}` : undefined;
}

/**
 * The console's last line with text, without terminal escapes (GRUB clears the screen), carriage
 * returns or other control characters, cut to `max` characters; '' when the console is still empty.
 */
export function lastConsoleLine(consoleLog: string, max = 120): string {
  const lines = readConsoleTail(consoleLog)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what is removed
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\r/g, '')
    // Other control characters (a guest's console is not to drive the user's terminal).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is removed
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.at(-1) ?? '';
  return last.length > max ? `${last.slice(0, max - 1)}…` : last;
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
