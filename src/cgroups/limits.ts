/** @module Translates ResourceLimits into cgroup v1/v2 control files, and enables v2 controllers. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgroupHierarchy } from './detect.ts';
import type { ResourceLimits } from './instance-types.ts';

const CPU_PERIOD_US = 100_000;

/** [file, value] pairs to write into a new cgroup, in order (v1 memsw must follow the memory limit). */
export function limitFiles(
  version: 'v1' | 'v2',
  controllers: readonly string[],
  limits: ResourceLimits,
): [string, string][] {
  const out: [string, string][] = [];
  const has = (c: string) => controllers.includes(c);
  const quota = limits.cpus === undefined ? undefined : Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US));
  const bytes = limits.memoryMiB === undefined ? undefined : Math.round(limits.memoryMiB * 1024 * 1024);
  if (version === 'v1') {
    if (has('cpu') && quota !== undefined)
      out.push(['cpu.cfs_period_us', String(CPU_PERIOD_US)], ['cpu.cfs_quota_us', String(quota)]);
    if (has('memory') && bytes !== undefined)
      out.push(['memory.limit_in_bytes', String(bytes)], ['memory.memsw.limit_in_bytes', String(bytes)]);
    if (has('pids') && limits.pids !== undefined) out.push(['pids.max', String(limits.pids)]);
  } else {
    if (has('cpu') && quota !== undefined) out.push(['cpu.max', `${quota} ${CPU_PERIOD_US}`]);
    if (has('memory') && bytes !== undefined) out.push(['memory.max', String(bytes)], ['memory.swap.max', '0']);
    if (has('pids') && limits.pids !== undefined) out.push(['pids.max', String(limits.pids)]);
  }
  return out;
}

/** Leaf that this process's cgroup members move to when v2's no-internal-process rule requires it. */
export const V2_SUPERVISOR_LEAF = 'ingot-supervisor';

/**
 * Makes cpu/memory/pids available to children of the own v2 cgroup. A non-root cgroup with
 * processes cannot delegate controllers, so its processes move to a leaf child first.
 */
export async function enableV2Controllers(h: CgroupHierarchy): Promise<string[]> {
  const wanted = ['cpu', 'memory', 'pids'].filter((c) => h.controllers.includes(c));
  const missing = ['cpu', 'memory', 'pids'].filter((c) => !h.controllers.includes(c));
  const warnings = missing.length
    ? [`cgroup v2 controllers not available in ${h.ownDir}: ${missing.join(', ')} (those limits are not enforced)`]
    : [];
  const active = (await readFile(join(h.ownDir, 'cgroup.subtree_control'), 'utf8').catch(() => '')).split(/\s+/);
  const toEnable = wanted.filter((c) => !active.includes(c));
  if (toEnable.length === 0) return warnings;
  const enable = () => writeFile(join(h.ownDir, 'cgroup.subtree_control'), toEnable.map((c) => `+${c}`).join(' '));
  try {
    await enable();
    return warnings;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EBUSY')
      return [...warnings, `cannot enable ${toEnable.join(',')} in ${h.ownDir}: ${(err as Error).message}`];
  }
  try {
    const leaf = join(h.ownDir, V2_SUPERVISOR_LEAF);
    await mkdir(leaf, { recursive: true });
    const procs = (await readFile(join(h.ownDir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean);
    for (const pid of procs) await writeFile(join(leaf, 'cgroup.procs'), pid).catch(() => {});
    await enable();
    return warnings;
  } catch (err) {
    return [...warnings, `cannot enable ${toEnable.join(',')} in ${h.ownDir}: ${(err as Error).message}`];
  }
}
