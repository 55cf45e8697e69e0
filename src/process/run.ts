/** @module Runs a host command to its end: output captured (and streamed), optional stdin, timeout and abort. */
import type { CommandExit } from './command-failed.ts';
import { startCommand, type StartOptions } from './start.ts';

export type { CommandExit } from './command-failed.ts';

export interface RunOptions extends Omit<StartOptions, 'stdin' | 'stdout'> {
  /** Written to the command's standard input, which is then closed. */
  input?: string | Uint8Array;
  /** Attach the command to this process's terminal (nothing is captured). */
  interactive?: boolean;
  /** Throw away standard output instead of capturing it. */
  ignoreStdout?: boolean;
}

/**
 * What confines host work on a build's image contents: the build's reader cgroup (`cgroupProcs`) and its
 * abort signal. Stages pass it on to every command they run over the image.
 */
export type Confinement = Pick<RunOptions, 'cgroupProcs' | 'signal'>;

/**
 * Runs `argv` (no shell) and resolves with its exit. Rejects with CommandFailed when it cannot start, exits
 * with a code other than 0 or `okCodes`, is killed, times out or is cancelled (unless `check: false`).
 */
export function runCommand(argv: readonly string[], opts: RunOptions = {}): Promise<CommandExit> {
  const { input, interactive, ignoreStdout, ...rest } = opts;
  let cmd: ReturnType<typeof startCommand>;
  try {
    cmd = startCommand(argv, {
      ...rest,
      stdin: interactive ? 'inherit' : input === undefined ? 'ignore' : 'pipe',
      stdout: ignoreStdout ? 'ignore' : 'capture',
    });
  } catch (err) {
    return Promise.reject(err);
  }
  if (input !== undefined) cmd.stdin?.end(input);
  return cmd.done;
}
