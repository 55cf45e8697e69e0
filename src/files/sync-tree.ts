/**
 * @module Makes files durable by fsync: a whole tree (a new layer, a build's outputs) or a list of
 * paths. Targeted: only these files' data and entries are flushed, not the whole file system a
 * `syncfs` (what an overlay unmount does) waits for, with other writers' data in it.
 */
import { open, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** fsyncs in flight at a time (each takes a libuv thread; ext4 joins concurrent ones in one journal commit). */
const PARALLEL = 8;

/** fsyncs one regular file or directory. */
async function syncOne(path: string): Promise<void> {
  const fd = await open(path, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/**
 * fsyncs every path (regular files and directories), at most PARALLEL at a time. A missing path
 * is an error: what was to be made durable is gone.
 */
export async function syncPaths(paths: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) await syncOne(paths[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, paths.length) }, worker));
}

/**
 * The regular files and directories under `dir` (not `dir`): what `syncTree` fsyncs. Temp files
 * being written (`.tmp-` in the name, renamed into place when done) are left to their writer.
 */
export async function treeEntries(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => (e.isFile() || e.isDirectory()) && !e.name.includes('.tmp-'))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Makes everything under `dir` durable: every regular file's data and every directory (so new
 * entries, renames and symlinks are kept), then `dir` itself and its parent (which names it).
 */
export async function syncTree(dir: string, entries?: readonly string[]): Promise<void> {
  await syncPaths(entries ?? (await treeEntries(dir)));
  await syncPaths([dir, dirname(dir)]);
}
