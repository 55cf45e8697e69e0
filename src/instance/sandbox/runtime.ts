/**
 * @module Per-sandbox runtime directories under `$INGOT_HOME/run/sandboxes/<id>/` with a state
 * file naming everything the sandbox created, so `cleanupStaleSandboxes` can undo a killed process.
 */
import { readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChildCgroups, removeCgroupDirs } from '../../cgroups/cgroup.ts';
import { BUILD_CGROUP_NAME } from '../../cgroups/reader.ts';
import { processStart } from '../../process/index.ts';
import { mountsUnder, unmountAll } from './mounts.ts';

export { processStart };

export interface SandboxState {
  id: string;
  pid: number;
  /** Start time of `pid` (from /proc/<pid>/stat), so a recycled pid is not taken for the owner. */
  pidStart: string;
  cgroupDirs: string[];
  /** Files created in an in-place root (an empty resolv.conf mount point) to remove again. */
  createdFiles: string[];
  /** Helper processes outside the cgroup (slirp4netns), killed on teardown. */
  helpers?: { pid: number; start: string }[];
}

/** cgroup of a sandbox; the owner's pid in the name lets orphans be found without a state file. */
export const sandboxCgroupName = (id: string): string => `ingot-${id}-p${process.pid}`;

/** For callers that name no data directory (tests, ad hoc tools): never the user's ~/.ingot. */
export const defaultIngotHome = (): string => join(tmpdir(), 'ingot');
export const sandboxesDir = (ingotHome: string): string => join(ingotHome, 'run', 'sandboxes');

/** SIGKILLs a helper process if it is still the one that was started (pid not recycled). */
export function stopHelper(helper: { pid: number; start: string }): void {
  if (!helper.pid || processStart(helper.pid) !== helper.start) return;
  try {
    process.kill(helper.pid, 'SIGKILL');
  } catch {
    /* gone already */
  }
}

export async function writeState(dir: string, state: SandboxState): Promise<void> {
  await writeFile(join(dir, 'state.json.tmp'), JSON.stringify(state));
  await rename(join(dir, 'state.json.tmp'), join(dir, 'state.json'));
}

/** Unmounts, kills and removes everything a sandbox's runtime dir and state name. */
export async function teardownRuntime(dir: string, state: Partial<SandboxState>): Promise<void> {
  if (state.cgroupDirs?.length) await removeCgroupDirs(state.cgroupDirs);
  for (const h of state.helpers ?? []) stopHelper(h);
  // Files made inside the mounted root go first (so an overlay upper dir does not keep them),
  // things beside it (an overlay work dir) only once nothing is mounted any more.
  const created = state.createdFiles ?? [];
  for (const f of created.filter((p) => p.startsWith(`${dir}/`))) await rm(f, { force: true });
  // A mount point can hold stacked mounts (propagated peers): unmount until none is left.
  for (let round = 0; round < 5; round++) {
    const points = await mountsUnder(dir);
    if (points.length === 0) break;
    await unmountAll(points);
  }
  const left = await mountsUnder(dir);
  if (left.length) throw new Error(`cannot remove ${dir}: still mounted: ${left.join(', ')}`);
  for (const f of created.filter((p) => !p.startsWith(`${dir}/`))) await rm(f, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
}

/**
 * Cleans up sandboxes whose owning process is gone (crash, SIGKILL): their processes, cgroups,
 * mounts and directories. Returns the directories removed. Sandboxes of live processes are kept.
 */
export async function cleanupStaleSandboxes(ingotHome: string): Promise<string[]> {
  const base = sandboxesDir(ingotHome);
  const removed: string[] = [];
  for (const id of await readdir(base).catch(() => [] as string[])) {
    const dir = join(base, id);
    let state: Partial<SandboxState> = {};
    try {
      state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as SandboxState;
    } catch {
      // No state yet: either being created right now (leave it) or died before writing it.
      const age =
        Date.now() -
        (await stat(dir)
          .then((st) => st.mtimeMs)
          .catch(() => 0));
      if (age < 30_000) continue;
    }
    if (state.pid && state.pidStart && processStart(state.pid) === state.pidStart) continue;
    await teardownRuntime(dir, state);
    removed.push(dir);
  }
  return [...removed, ...(await removeOrphanCgroups())];
}

/**
 * Sandbox and reader cgroups below this process's own cgroup whose owner is dead, with no runtime dir left
 * to name them (the owner's INGOT_HOME was deleted, say). Returns their directories.
 */
async function removeOrphanCgroups(): Promise<string[]> {
  const removed: string[] = [];
  for (const [name, dirs] of await findChildCgroups(BUILD_CGROUP_NAME)) {
    const pid = Number(BUILD_CGROUP_NAME.exec(name)?.[1]);
    if (pid === process.pid || processStart(pid) !== '') continue;
    await removeCgroupDirs(dirs);
    removed.push(...dirs);
  }
  return removed;
}
