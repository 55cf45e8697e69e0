/** @module Turns a finished command (ExecuteBash/ExecuteBinary) into an outcome: 0 success, 194 reboot, other failure. */
import type { ExecResult } from '../../instance/types.ts';
import { ActionFailure } from './define.ts';
import type { ActionOutcome } from './define.ts';

/** Exit code a Linux command uses to ask AWSTOE for a reboot. */
export const REBOOT_EXIT_CODE = 194;

/** AWSTOE reports stdout without the final newline. */
const trimEnd = (s: string): string => s.replace(/\r?\n$/, '');

export function commandOutcome(what: string, result: ExecResult): ActionOutcome {
  const stdout = trimEnd(result.stdout);
  if (result.aborted || result.timedOut) {
    throw new ActionFailure(`${what}: stopped (${result.timedOut ? 'timed out' : 'cancelled'})`, {
      stdout,
      stderr: result.stderr,
    });
  }
  if (result.exitCode === REBOOT_EXIT_CODE) {
    return { outputs: { stdout }, exitCode: REBOOT_EXIT_CODE, stdout, stderr: result.stderr, rebootRequested: true };
  }
  if (result.exitCode !== 0) {
    const code = result.exitCode ?? `signal ${result.signal}`;
    const tail = result.stderr.trim().split('\n').slice(-1)[0];
    throw new ActionFailure(`${what} failed with exit code ${code}${tail ? `: ${tail}` : ''}`, {
      exitCode: result.exitCode ?? -1,
      stdout,
      stderr: result.stderr,
    });
  }
  return { outputs: { stdout }, exitCode: 0, stdout, stderr: result.stderr };
}
