/**
 * @module Durability of what a build keeps: its new layers (before the layer cache records them)
 * and its outputs (before the build reports success). Build instances mount their overlay
 * `volatile`, so no unmount syncs the host's file system: the files are fsynced here instead.
 */
import { syncTree, treeEntries } from '../files/sync-tree.ts';
import { runCommand } from '../process/index.ts';

/** Above this many entries one `syncfs` of the tree's file system is cheaper than an fsync per entry. */
export const MAX_FSYNC_ENTRIES = 4000;

/**
 * Makes the tree at `dir` durable: an fsync of each of its files and directories, or one `sync
 * --file-system` (syncfs) when it holds more than `maxEntries` (a package install's layer).
 */
export async function makeDurable(dir: string, maxEntries = MAX_FSYNC_ENTRIES): Promise<'fsync' | 'syncfs'> {
  const entries = await treeEntries(dir);
  if (entries.length > maxEntries) {
    await runCommand(['sync', '--file-system', dir]);
    return 'syncfs';
  }
  await syncTree(dir, entries);
  return 'fsync';
}
