/**
 * @module Test helper: runs the real `ingot` CLI as a child process with its own INGOT_HOME and the
 * shared, once-bootstrapped managed bases (INGOT_BASES_HOME).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const INGOT_BIN = fileURLToPath(new URL('../../bin/ingot', import.meta.url));

/**
 * Bases are bootstrapped once per machine (and refreshed weekly) and shared by every test file.
 * Override with INGOT_TEST_BASES_HOME (e.g. to measure a cold run, or to test a change to bootstrapping).
 */
export const TEST_BASES_HOME = process.env['INGOT_TEST_BASES_HOME'] || '/tmp/ingot-test-bases';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runIngot(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 600_000,
  cwd?: string,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      INGOT_BIN,
      [...args],
      {
        env: { ...process.env, INGOT_BASES_HOME: TEST_BASES_HOME, ...env },
        timeout: timeoutMs,
        ...(cwd ? { cwd } : {}),
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
