/**
 * @module The cgroup a build's host-side readers of its image (SBOM over layers, OpenSCAP, Lynis) run
 * in: the build's own limits, killed and removed as a whole, the owner's pid in its name so a crash
 * reaper (`cleanupStaleSandboxes`) finds it when the owner died.
 */
import { randomBytes } from 'node:crypto';
import { type CgroupResult, createCgroup } from './cgroup.ts';
import type { ResourceLimits } from './instance-types.ts';

/** Names of every cgroup Ingot creates for a build (sandboxes and readers), with the owner's pid. */
export const BUILD_CGROUP_NAME = /^ingot-(?:sbx|read)-[0-9a-f]+-p(\d+)$/;

export function createReaderCgroup(limits: ResourceLimits): Promise<CgroupResult> {
  return createCgroup(`ingot-read-${randomBytes(5).toString('hex')}-p${process.pid}`, limits);
}

/**
 * Runs `fn` with the `cgroup.procs` files of a new reader cgroup with `limits` (none when no cgroup could be
 * made: each warning goes to `onWarning`); the cgroup is removed afterwards, whatever is left in it killed.
 */
export async function withReaderCgroup<T>(
  limits: ResourceLimits,
  onWarning: (warning: string) => void,
  fn: (cgroupProcs: readonly string[]) => Promise<T>,
): Promise<T> {
  const { cgroup, warnings } = await createReaderCgroup(limits);
  for (const w of warnings) onWarning(w);
  try {
    return await fn(cgroup?.procsFiles ?? []);
  } finally {
    await cgroup?.remove();
  }
}
