/**
 * @module A child cgroup below this process's own cgroup (v1: one per hierarchy, v2: one), with
 * cpu/memory/pids limits. Whatever cannot be done is returned as a warning, never thrown.
 */
import { mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectCgroups } from './detect.ts';
import type { CgroupHierarchy, CgroupLayout } from './detect.ts';
import type { ResourceLimits } from './instance-types.ts';
import { enableV2Controllers, limitFiles } from './limits.ts';

export class Cgroup {
  readonly version: 'v1' | 'v2';
  /** One directory per hierarchy (v2: exactly one). */
  readonly dirs: readonly string[];

  constructor(version: 'v1' | 'v2', dirs: readonly string[]) {
    this.version = version;
    this.dirs = dirs;
  }

  /** Files a process writes its pid to in order to join (all of them). */
  get procsFiles(): string[] {
    return this.dirs.map((d) => join(d, 'cgroup.procs'));
  }

  async pids(): Promise<number[]> {
    return readPids(this.dirs);
  }

  /** SIGKILLs every process until the cgroup is empty (forks racing the kill are caught by the loop). */
  async killAll(): Promise<void> {
    await killCgroupDirs(this.dirs);
  }

  /** Kills what is left and removes the directories. */
  async remove(): Promise<void> {
    await removeCgroupDirs(this.dirs);
  }
}

export interface CgroupResult {
  /** null when no cgroup could be made: the caller runs without limits. */
  cgroup: Cgroup | null;
  warnings: string[];
}

/** Creates `name` below this process's own cgroup(s) and applies `limits`. */
export async function createCgroup(
  name: string,
  limits: ResourceLimits,
  layout: CgroupLayout = detectCgroups(),
): Promise<CgroupResult> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`invalid cgroup name ${JSON.stringify(name)}`);
  if (layout.version === 'none')
    return { cgroup: null, warnings: [`cgroups unavailable, running without limits: ${layout.reason}`] };
  const warnings: string[] = [];
  if (layout.version === 'v2') warnings.push(...(await enableV2Controllers(layout.hierarchy)));
  const hierarchies: CgroupHierarchy[] = layout.version === 'v2' ? [layout.hierarchy] : layout.hierarchies;
  const dirs: string[] = [];
  for (const h of hierarchies) {
    const dir = join(h.ownDir, name);
    try {
      await mkdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        warnings.push(`cannot create cgroup ${dir}: ${(err as Error).message}`);
        continue;
      }
    }
    dirs.push(dir);
    for (const [file, value] of limitFiles(layout.version, h.controllers, limits)) {
      try {
        await writeFile(join(dir, file), value);
      } catch (err) {
        if (!file.includes('swap') && !file.includes('memsw'))
          warnings.push(`cannot set ${file}=${value} in ${dir}: ${(err as Error).message}`);
      }
    }
  }
  if (dirs.length === 0) return { cgroup: null, warnings: [...warnings, 'running without resource limits'] };
  return { cgroup: new Cgroup(layout.version, dirs), warnings };
}

async function readPids(dirs: readonly string[]): Promise<number[]> {
  const pids = new Set<number>();
  for (const d of dirs) {
    const text = await readFile(join(d, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const p of text.split('\n')) if (p.trim()) pids.add(Number(p));
  }
  return [...pids];
}

/** Kills every process in the given cgroup directories (also used for stale ones). */
export async function killCgroupDirs(dirs: readonly string[]): Promise<void> {
  for (const d of dirs) await writeFile(join(d, 'cgroup.kill'), '1').catch(() => {});
  for (let round = 0; round < 200; round++) {
    const pids = await readPids(dirs);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
    await sleep(round < 10 ? 5 : 25);
  }
}

/** Kills and rmdirs cgroup directories, retrying while dying processes still hold them. */
export async function removeCgroupDirs(dirs: readonly string[]): Promise<void> {
  await killCgroupDirs(dirs);
  for (const d of dirs) {
    for (let attempt = 0; ; attempt++) {
      try {
        await rmdir(d);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY' || attempt >= 100) throw err;
        await killCgroupDirs([d]);
        await sleep(20);
      }
    }
  }
}

/** Child cgroups of this process's own cgroup(s) whose name matches, as name → directories. */
export async function findChildCgroups(
  pattern: RegExp,
  layout: CgroupLayout = detectCgroups(),
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  if (layout.version === 'none') return found;
  const hierarchies = layout.version === 'v2' ? [layout.hierarchy] : layout.hierarchies;
  for (const h of hierarchies) {
    const entries = await readdir(h.ownDir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isDirectory() && pattern.test(e.name))
        found.set(e.name, [...(found.get(e.name) ?? []), join(h.ownDir, e.name)]);
    }
  }
  return found;
}
