/** @module Layer cache crash recovery: drops half-moved or unindexed dirs and index rows whose files are gone. */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from './blob-store.ts';
import type { CacheIndex, IndexRow } from './cache-index.ts';

/** Unindexed dirs younger than this may belong to another process's put in progress (rename updates ctime). */
const STALE_MS = 10 * 60 * 1000;

export interface RecoveryInput {
  layersDir: string;
  index: CacheIndex;
  blobs: BlobStore;
  isIndexedDir(name: string): boolean;
  remove(row: IndexRow): Promise<void>;
}

export async function recoverLayerCache(input: RecoveryInput): Promise<void> {
  for (const name of await readdir(input.layersDir)) {
    if (input.isIndexedDir(name)) continue;
    const path = join(input.layersDir, name);
    const st = await stat(path).catch(() => null);
    if (st && Date.now() - st.ctimeMs > STALE_MS) await rm(path, { recursive: true, force: true });
  }
  for (const row of input.index.lru()) {
    const dirThere = await stat(join(input.layersDir, row.key)).then(
      () => true,
      () => false,
    );
    if (!dirThere || !(await input.blobs.has(row.layer.digest))) await input.remove(row);
  }
}
