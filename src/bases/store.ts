/**
 * @module On-disk layout of managed bases: `$INGOT_HOME/bases/<name>/<id>/{rootfs,metadata.json}`
 * plus a `current` symlink switched atomically when a new bootstrap completes.
 */
import { readFile, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../process/index.ts';
import type { ManagedBaseName } from './catalogue.ts';

export interface BaseImage {
  name: ManagedBaseName;
  rootfsDir: string;
  /** Date-based version, e.g. 2026.11.25 (UTC day of the bootstrap). */
  version: string;
  /** ISO 8601. */
  createdAt: string;
  /** `sha256:` tree digest of the rootfs (see digest.ts). */
  digest: string;
  osVersion: string;
}

export interface BaseMetadata extends Omit<BaseImage, 'rootfsDir'> {
  suite: string;
  /** Contents of /etc/debian_version, e.g. 12.12. */
  debianVersion: string;
  architecture: 'x86_64';
  mirror: string;
  securityMirror?: string;
  components: string[];
  packageCount: number;
  bootstrapSeconds: number;
  /** baseDefinitionKey of what was bootstrapped (absent in bases made before it existed). */
  definition?: string;
}

export const basesDir = (ingotHome: string, name: string): string => join(ingotHome, 'bases', name);
export const CURRENT_LINK = 'current';
export const BUILDING_PREFIX = '.building-';

/** The completed base `current` points to, if any. */
export async function readCurrentBase(
  ingotHome: string,
  name: ManagedBaseName,
): Promise<{ image: BaseImage; meta: BaseMetadata } | undefined> {
  const dir = basesDir(ingotHome, name);
  try {
    const id = await readlink(join(dir, CURRENT_LINK));
    const meta = JSON.parse(await readFile(join(dir, id, 'metadata.json'), 'utf8')) as BaseMetadata;
    const { name: n, version, createdAt, digest, osVersion } = meta;
    return { image: { name: n, rootfsDir: join(dir, id, 'rootfs'), version, createdAt, digest, osVersion }, meta };
  } catch {
    return undefined;
  }
}

/** Points `current` at `id` atomically (a new symlink renamed over the old one). */
export async function switchCurrent(dir: string, id: string): Promise<void> {
  const tmp = join(dir, `.current-${process.pid}`);
  await rm(tmp, { force: true });
  await symlink(id, tmp);
  await rename(tmp, join(dir, CURRENT_LINK));
}

/**
 * Removes unfinished bootstraps (only ever called under the lock, so none is in progress) and
 * versions older than the current and the one before it (a running build may still use that).
 */
export async function pruneBases(dir: string): Promise<void> {
  const current = await readlink(join(dir, CURRENT_LINK)).catch(() => '');
  const entries = (await readdir(dir).catch(() => [] as string[])).sort();
  for (const e of entries.filter((x) => x.startsWith(BUILDING_PREFIX))) await removeBuilding(join(dir, e));
  const versions = entries.filter((x) => /^\d{4}\.\d{2}\.\d{2}-[0-9a-f]+$/.test(x) && x !== current);
  for (const old of versions.slice(0, -1)) await rm(join(dir, old), { recursive: true, force: true });
}

/**
 * Removes a half-done bootstrap. mmdebstrap bind-mounts host /dev nodes, /proc and /sys into
 * the tree while it runs, so anything still mounted there is unmounted first, and a tree that
 * stays mounted is left alone rather than deleted through the mounts.
 */
async function removeBuilding(path: string): Promise<void> {
  for (const m of await mountsBelow(path)) await runCommand(['umount', '--lazy', m]).catch(() => {});
  if ((await mountsBelow(path)).length > 0) return;
  await rm(path, { recursive: true, force: true });
}

async function mountsBelow(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points = info
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p.startsWith(`${dir}/`));
  return points.sort((a, b) => b.length - a.length);
}
