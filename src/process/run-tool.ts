/** @module Runs a host tool (qemu-img, mkfs.ext4, unshare...) and fails with its stderr when it exits non-zero. */
import { spawn } from 'node:child_process';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class ToolError extends Error {
  readonly result: ToolResult;
  constructor(argv: readonly string[], result: ToolResult) {
    super(
      `${argv.slice(0, 3).join(' ')} failed (exit ${result.code}): ${result.stderr.trim().slice(-800) || result.stdout.trim().slice(-400)}`,
    );
    this.name = 'ToolError';
    this.result = result;
  }
}

export interface ToolOptions {
  env?: Record<string, string>;
  /** Resolve instead of rejecting on these exit codes. */
  okCodes?: readonly number[];
  signal?: AbortSignal;
}

export function runTool(argv: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const result = { code: code ?? -1, stdout, stderr };
      if (code === 0 || (code !== null && opts.okCodes?.includes(code))) resolve(result);
      else reject(new ToolError(argv, result));
    });
  });
}

/** True when `name` is on PATH. */
export async function hasTool(name: string): Promise<boolean> {
  const r = await runTool(['sh', '-c', `command -v ${name}`], { okCodes: [1, 127] }).catch(() => undefined);
  return !!r && r.code === 0;
}
