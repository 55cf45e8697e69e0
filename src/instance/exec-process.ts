/**
 * @module Spawns a host process with the `ExecParams` contract: output collected (and streamed),
 * the whole process group killed on timeout or abort.
 */
import { spawn } from 'node:child_process';
import type { ExecParams, ExecResult } from './types.ts';

/** Keep at most this much of each stream in the result (the rest still streams to the callbacks). */
const MAX_CAPTURE = 4 * 1024 * 1024;

export function execProcess(params: ExecParams): Promise<ExecResult> {
  const [file, ...args] = params.argv;
  if (!file) return Promise.reject(new Error('execProcess: empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: params.cwd,
      env: params.env ? { ...params.env } : process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills the whole tree
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    const killTree = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer =
      params.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killTree();
          }, params.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killTree();
    };
    if (params.signal) {
      if (params.signal.aborted) onAbort();
      else params.signal.addEventListener('abort', onAbort, { once: true });
    }
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += c;
      params.onStdout?.(c);
    });
    child.stderr.on('data', (c: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += c;
      params.onStderr?.(c);
    });
    child.stdin.on('error', () => {}); // the process may exit without reading its input
    if (params.stdin !== undefined) child.stdin.end(params.stdin);
    else child.stdin.end();
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      params.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      params.signal?.removeEventListener('abort', onAbort);
      // Children that outlived the leader (daemonised) still belong to the group: end them too.
      killTree();
      resolve({ exitCode: code, signal, stdout, stderr, timedOut, aborted });
    });
  });
}
