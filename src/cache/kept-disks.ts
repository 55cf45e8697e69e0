/**
 * @module Kept boot disks for incremental disk builds (src/disk/incremental-disk.ts): raw disks
 * whose root file system holds an image's layers but its top ones, each under a key naming those
 * layers, the disk's settings and the cache scope (the account: one account never finds another's
 * disk). Copied in as a temp file, flushed and renamed (a crash leaves no half disk under a key); the most
 * recently used `keep` disks stay, older ones and stale temp files go (keepNewest).
 */
import { mkdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { syncPaths } from '../files/sync-tree.ts';
import { renameIntoPlace, tempPathBeside } from '../files/write-atomic.ts';
import { type Confinement, runCommand } from '../process/index.ts';
import { keepNewest } from './keep-newest.ts';

/** Where kept disks live and how many stay (each takes the size of the image's data: the files are sparse). */
export interface KeptDiskStore {
  dir: string;
  keep: number;
}

/** Kept disks per cache directory, newest by use first: the last build's lower layers, and one more. */
export const KEPT_DISKS = 2;

const STALE_TMP_MS = 60 * 60 * 1000;
const fileOf = (store: KeptDiskStore, key: string): string => join(store.dir, `${key}.raw`);

/** The kept disk of `key` (marked used now), or undefined. */
export async function findKeptDisk(store: KeptDiskStore, key: string): Promise<string | undefined> {
  if (!/^[a-f0-9]{64}$/.test(key)) return undefined;
  const file = fileOf(store, key);
  if (!(await stat(file).catch(() => undefined))?.isFile()) return undefined;
  const now = new Date();
  await utimes(file, now, now).catch(() => {});
  return file;
}

/**
 * Keeps a sparse copy of the disk `file` under `key`: resolves once the copy is made (`file` may
 * change from then on) with `settled`, which resolves once the copy is on the device and under its
 * name (fsync, then temp file renamed: a crash never leaves a disk with lost blocks under a key),
 * and the store is pruned to `store.keep`.
 */
export async function keepDisk(
  store: KeptDiskStore,
  key: string,
  file: string,
  run: Confinement = {},
): Promise<{ settled: Promise<void> }> {
  if (!/^[a-f0-9]{64}$/.test(key)) throw new Error(`not a kept-disk key: ${key}`);
  await mkdir(store.dir, { recursive: true });
  const tmp = tempPathBeside(fileOf(store, key));
  try {
    await runCommand(['cp', '--sparse=always', file, tmp], run);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const settle = async () => {
    try {
      await syncPaths([tmp]);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await renameIntoPlace(tmp, fileOf(store, key));
    await keepNewest(store.dir, store.keep, { isRecord: (n) => n.endsWith('.raw'), staleTmpMs: STALE_TMP_MS });
  };
  return { settled: settle() };
}
