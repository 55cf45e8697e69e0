/** @module Finds out at run time which cgroup version this process lives in and where its own cgroups are. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The controllers Ingot limits, plus the one it uses to find and kill an instance's processes. */
export const LIMIT_CONTROLLERS = ['cpu', 'memory', 'pids'] as const;
export type LimitController = (typeof LIMIT_CONTROLLERS)[number];

/** One place a child cgroup can be made: a hierarchy directory, the controllers it serves. */
export interface CgroupHierarchy {
  /** Directory of this process's own cgroup in that hierarchy (children go below it). */
  ownDir: string;
  controllers: string[];
}

export type CgroupLayout =
  | { version: 'v2'; hierarchy: CgroupHierarchy }
  | { version: 'v1'; hierarchies: CgroupHierarchy[] }
  | { version: 'none'; reason: string };

interface MountEntry {
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const f = left.split(' ');
    const r = right.split(' ');
    out.push({
      root: unescape(f[3] ?? ''),
      mountPoint: unescape(f[4] ?? ''),
      fsType: r[0] ?? '',
      superOptions: (r[2] ?? '').split(','),
    });
  }
  return out;
}

const unescape = (s: string): string =>
  s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/** `/proc/self/cgroup` lines as hierarchy-id → { controllers, path }. */
export function parseProcCgroup(text: string): { controllers: string[]; path: string }[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, ctrls = '', ...rest] = line.split(':');
      return { controllers: ctrls ? ctrls.split(',') : [], path: rest.join(':') };
    });
}

/** Pure detection from the two proc files (unit-testable); `readControllers` reads a v2 cgroup.controllers. */
export function detectLayout(
  procCgroup: string,
  mountInfo: string,
  readControllers: (dir: string) => string[],
): CgroupLayout {
  const own = parseProcCgroup(procCgroup);
  const mounts = parseMountInfo(mountInfo);
  const v1: CgroupHierarchy[] = [];
  for (const m of mounts.filter((e) => e.fsType === 'cgroup')) {
    const ctrls = m.superOptions.filter((o): o is LimitController =>
      (LIMIT_CONTROLLERS as readonly string[]).includes(o),
    );
    if (ctrls.length === 0) continue;
    const entry = own.find((o) => o.controllers.some((c) => (ctrls as readonly string[]).includes(c)));
    if (!entry?.path.startsWith(m.root)) continue;
    v1.push({ ownDir: join(m.mountPoint, entry.path.slice(m.root.length)), controllers: ctrls });
  }
  const hasV1Limits = v1.some((h) => h.controllers.includes('memory') || h.controllers.includes('cpu'));
  if (hasV1Limits) return { version: 'v1', hierarchies: v1 };
  const unified = own.find((o) => o.controllers.length === 0 && o.path.startsWith('/'));
  const v2mount = mounts.find((m) => m.fsType === 'cgroup2');
  if (!unified || !v2mount)
    return { version: 'none', reason: 'no cgroup v1 cpu/memory hierarchy and no cgroup2 mount found' };
  if (!unified.path.startsWith(v2mount.root))
    return { version: 'none', reason: `own cgroup ${unified.path} is outside the mounted cgroup2 tree` };
  // After enableV2Controllers moved this process to its leaf, sandboxes still go beside it.
  const ownPath = unified.path.replace(/\/ingot-supervisor$/, '') || '/';
  const ownDir = join(v2mount.mountPoint, ownPath.slice(v2mount.root.length));
  return { version: 'v2', hierarchy: { ownDir, controllers: readControllers(ownDir) } };
}

/** Detects the layout of the running process. */
export function detectCgroups(): CgroupLayout {
  try {
    return detectLayout(
      readFileSync('/proc/self/cgroup', 'utf8'),
      readFileSync('/proc/self/mountinfo', 'utf8'),
      (dir) => {
        try {
          return readFileSync(join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
        } catch {
          return [];
        }
      },
    );
  } catch (err) {
    return { version: 'none', reason: `cannot read /proc: ${(err as Error).message}` };
  }
}
