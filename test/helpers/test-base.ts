/**
 * @module For tests only: one real debian-12 base shared by every test file and run, cached in
 * /tmp/ingot-test-bases (rebootstrapped weekly), or the reason it cannot be built here.
 */
import { execFileSync } from 'node:child_process';
import { ensureBaseImage } from '../../src/bases/ensure.ts';
import type { BaseImage } from '../../src/bases/store.ts';

import { TEST_BASES_HOME } from './cli.ts';

export { TEST_BASES_HOME };

/** Why a real bootstrap cannot run on this machine, or undefined when it can. */
export function bootstrapUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'bootstrapping a base needs root';
  try {
    execFileSync('sh', ['-c', 'command -v mmdebstrap'], { stdio: 'ignore' });
  } catch {
    return 'mmdebstrap is not installed (scripts/install-system-deps.sh)';
  }
  return undefined;
}

let shared: Promise<BaseImage> | undefined;

/** The shared debian-12 base (bootstrapped at most once per week; concurrent test files wait on the lock). */
export function sharedTestBase(onProgress?: (line: string) => void): Promise<BaseImage> {
  shared ??= ensureBaseImage('debian-12', {
    ingotHome: TEST_BASES_HOME,
    maxAgeDays: 7,
    ...(onProgress ? { onProgress } : {}),
  });
  return shared;
}
