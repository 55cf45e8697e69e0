/**
 * @module Ingot's bootable-disk layers kept beside a managed base, the way an AMI ships with its
 * kernel: `<base version dir>/boot-layers/<key>/{diff/,layer.blob,layer.json}`, content-addressed
 * by `key` (the layer cache key of the boot component on the base's digest: base + boot-layer
 * definition, no account), made once under a lock and then only read, by every INGOT_HOME that
 * shares the bases home. They go with their base version when pruneBases removes it.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syncPaths } from '../files/sync-tree.ts';
import type { LayerDescriptor } from '../oci/media-types.ts';
import { withLock } from './lock.ts';

export interface StoredBootLayer {
  key: string;
  /** The component the layer was made by. */
  component: string;
  layer: LayerDescriptor;
  createdAt: string;
  /** The overlay upper dir of the layer: stacked read-only as a lowerdir. */
  diffDir: string;
  blobPath: string;
}

/** What a caller's `make` returns: the layer it made inside the dir it was given. */
export interface MadeBootLayer {
  component: string;
  layer: LayerDescriptor;
  diffDir: string;
  blobPath: string;
}

const KEY = /^[a-f0-9]{64}$/;
const BUILDING = '.building-';

export const bootLayersDir = (baseDir: string): string => join(baseDir, 'boot-layers');

function layerDir(baseDir: string, key: string): string {
  if (!KEY.test(key)) throw new Error(`invalid boot layer key: ${key}`);
  return join(bootLayersDir(baseDir), key);
}

/** The finished layer under `key` beside the base in `baseDir`, if any (layer.json is written last). */
export async function readBootLayer(baseDir: string, key: string): Promise<StoredBootLayer | undefined> {
  const dir = layerDir(baseDir, key);
  try {
    const meta = JSON.parse(await readFile(join(dir, 'layer.json'), 'utf8')) as Omit<
      StoredBootLayer,
      'diffDir' | 'blobPath'
    >;
    return { ...meta, diffDir: join(dir, 'diff'), blobPath: join(dir, 'layer.blob') };
  } catch {
    return undefined;
  }
}

/**
 * The layer under `key`, made by `make(dir)` when missing: under the lock of the base's boot
 * layers (a second home asking meanwhile waits and reuses it), in a `.building-` dir renamed into
 * place when complete, so a crash leaves nothing a build could take for finished. `make` returns
 * a layer already durable (its files fsynced); its new names are synced here before and after the rename.
 */
export async function ensureBootLayer(
  baseDir: string,
  key: string,
  make: (dir: string) => Promise<MadeBootLayer>,
  opts: { onWait?: () => void } = {},
): Promise<{ stored: StoredBootLayer; built: boolean }> {
  const ready = await readBootLayer(baseDir, key);
  if (ready) return { stored: ready, built: false };
  const root = bootLayersDir(baseDir);
  await mkdir(root, { recursive: true });
  return withLock(
    join(root, '.lock'),
    async () => {
      const done = await readBootLayer(baseDir, key);
      if (done) return { stored: done, built: false };
      // Under the lock no other boot layer of this base is being made: leftovers are a crash's.
      for (const e of await readdir(root))
        if (e.startsWith(BUILDING)) await rm(join(root, e), { recursive: true, force: true });
      const building = join(root, `${BUILDING}${process.pid}-${Date.now()}`);
      await mkdir(building);
      try {
        const made = await make(building);
        const staged = join(building, 'staged');
        await mkdir(staged);
        await rename(made.diffDir, join(staged, 'diff'));
        await rename(made.blobPath, join(staged, 'layer.blob'));
        const meta = { key, component: made.component, layer: made.layer, createdAt: new Date().toISOString() };
        await writeFile(join(staged, 'layer.json'), `${JSON.stringify(meta, null, 2)}\n`);
        // The caller made the diff and blob durable; their new names and layer.json follow.
        await syncPaths([join(staged, 'layer.json'), staged, building]);
        const dir = layerDir(baseDir, key);
        await rm(dir, { recursive: true, force: true });
        await rename(staged, dir);
        await syncPaths([root]);
        return { stored: { ...meta, diffDir: join(dir, 'diff'), blobPath: join(dir, 'layer.blob') }, built: true };
      } finally {
        await rm(building, { recursive: true, force: true });
      }
    },
    { onWait: opts.onWait },
  );
}
