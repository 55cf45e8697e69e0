/**
 * @module Reuse of an image's package inventory (the SBOMs' content) across builds: the inventory
 * reads only `etc/os-release`, `usr/…` and `var/lib/dpkg/…`, so a top layer with no `usr` or `var`
 * entry at all (no file, directory, whiteout or opaque marker there) and at most a plain `etc`
 * directory without `os-release` (e.g. a component that writes a config file under /etc, or only
 * under /srv, /opt or /home) leaves it as the layers below made it. The inventory is
 * kept under the identity of the layers below such top layers (their digests, topmost first), and
 * only when every link it followed stays inside etc/, usr/ and var/ (see `linksStayInside`).
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, utimes } from 'node:fs/promises';
import { writeFileAtomic } from '../files/write-atomic.ts';
import { join, posix } from 'node:path';
import { keepNewest } from '../cache/keep-newest.ts';
import { runCommand } from '../process/index.ts';
import type { Inventory } from './inventory.ts';

/** Top-level entries of a layer that can change the inventory. */
const INVENTORY_TOPS = ['etc', 'usr', 'var'] as const;
/** Inventories kept per cache directory (newest first by use). */
export const INVENTORIES_KEPT = 32;

/** True when `dir` (a directory of an overlay upper dir) is opaque: it hides what the layers below have there. */
async function isOpaque(dir: string): Promise<boolean> {
  const r = await runCommand(['getfattr', '--absolute-names', '-n', 'trusted.overlay.opaque', '--only-values', dir], {
    okCodes: [1],
  });
  // Exit 1 with "No such attribute": a plain directory; anything unreadable counts as opaque.
  if (r.exitCode !== 0) return !/No such attribute/.test(r.stderr);
  return r.stdout.trim() === 'y';
}

/**
 * True when the layer directory (an overlay upper dir) can change the inventory: it has a `usr` or
 * `var` entry of any kind, or an `etc` entry other than a plain (not opaque) directory without an
 * `os-release` entry (of etc/ the inventory reads only os-release: a layer adding a config file
 * under /etc leaves it as it was).
 */
async function touchesInventory(layerDir: string): Promise<boolean> {
  for (const top of INVENTORY_TOPS) {
    const st = await lstat(join(layerDir, top)).catch(() => undefined);
    if (!st) continue;
    if (top !== 'etc' || !st.isDirectory()) return true;
    if (await lstat(join(layerDir, 'etc/os-release')).catch(() => undefined)) return true;
    if (await isOpaque(join(layerDir, 'etc'))) return true;
  }
  return false;
}

/**
 * The key the inventory of `lowerDirs` (topmost first; `ids[i]` the content identity of
 * `lowerDirs[i]`: a layer digest, a base's digest) is kept under: the identities below the top
 * layers that cannot change it, plus the cache scope. Undefined when the ids do not match the dirs.
 */
export async function inventoryKey(
  lowerDirs: readonly string[],
  ids: readonly string[],
  scope = '',
): Promise<string | undefined> {
  if (ids.length !== lowerDirs.length || !ids.length) return undefined;
  let from = 0;
  while (from < lowerDirs.length - 1 && !(await touchesInventory(lowerDirs[from]!))) from++;
  return createHash('sha256')
    .update(JSON.stringify(['ingot-inventory-1', scope, ids.slice(from)]))
    .digest('hex');
}

export async function loadInventory(dir: string, key: string): Promise<Inventory | undefined> {
  const file = join(dir, `${key}.json`);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  try {
    const inventory = JSON.parse(text) as Inventory;
    const now = new Date();
    await utimes(file, now, now).catch(() => {}); // used now: kept by the next prune
    return inventory;
  } catch {
    return undefined;
  }
}

/** Keeps `inventory` under `key` (temp file and rename), then prunes the directory to INVENTORIES_KEPT. */
export async function saveInventory(dir: string, key: string, inventory: Inventory): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${key}.json`);
  await writeFileAtomic(file, JSON.stringify(inventory));
  await keepNewest(dir, INVENTORIES_KEPT, { isRecord: (name) => name.endsWith('.json') });
}

/** True when `target` (a link at `at`, both relative to the root) points inside etc/, usr/ or var/. */
function inside(at: string, target: string): boolean {
  const resolved = posix.normalize(target.startsWith('/') ? target : posix.join(posix.dirname(`/${at}`), target));
  return INVENTORY_TOPS.some((t) => resolved.startsWith(`/${t}/`) || resolved === `/${t}`);
}

/**
 * True when every symbolic link the inventory can follow (`etc/os-release`, those under
 * `usr/share/doc` and `var/lib/dpkg`) points inside etc/, usr/ or var/, so that a layer writing
 * elsewhere cannot change what it read; checked on the merged tree `rootDir` of a full computation.
 */
export async function linksStayInside(rootDir: string): Promise<boolean> {
  const dirs = ['usr/share/doc', 'var/lib/dpkg', 'usr/lib', 'usr/share', 'var/lib', 'etc', 'usr', 'var'];
  for (const d of dirs) {
    const st = await lstat(join(rootDir, d)).catch(() => undefined);
    if (st?.isSymbolicLink()) return false;
  }
  const osRelease = await readlink(join(rootDir, 'etc/os-release')).catch(() => undefined);
  if (osRelease !== undefined && !inside('etc/os-release', osRelease)) return false;
  for (const d of ['usr/share/doc', 'var/lib/dpkg']) {
    const entries = await readdir(join(rootDir, d), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isSymbolicLink()) continue;
      const full = join(e.parentPath, e.name);
      const rel = full.slice(rootDir.length + 1);
      if (!inside(rel, await readlink(full))) return false;
    }
  }
  return true;
}
