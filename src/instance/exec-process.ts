/**
 * @module The `ExecParams` contract on the host, through the process runner: output collected (and
 * streamed), the whole process group killed on timeout or abort, never a rejection for an exit code.
 */
import { runCommand } from '../process/index.ts';
import type { ExecParams, ExecResult } from './types.ts';

/** Keep at most this much of each stream in the result (the rest still streams to the callbacks). */
const MAX_CAPTURE = 4 * 1024 * 1024;

export function execProcess(params: ExecParams): Promise<ExecResult> {
  if (params.argv.length === 0) return Promise.reject(new Error('execProcess: empty argv'));
  return runCommand(params.argv, {
    ...(params.env ? { env: params.env, cleanEnv: true } : {}),
    ...(params.cwd !== undefined ? { cwd: params.cwd } : {}),
    ...(params.stdin !== undefined ? { input: params.stdin } : {}),
    ...(params.timeoutMs !== undefined ? { timeoutMs: params.timeoutMs } : {}),
    ...(params.signal ? { signal: params.signal } : {}),
    ...(params.onStdout ? { onStdout: params.onStdout } : {}),
    ...(params.onStderr ? { onStderr: params.onStderr } : {}),
    group: true, // own process group, so a timeout kills the whole tree
    check: false,
    maxCapture: MAX_CAPTURE,
  });
}
