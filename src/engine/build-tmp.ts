/**
 * @module One /tmp for the whole build instance: on EC2 every component's build phase and then
 * every validate phase run on the same instance, so a file one writes to /tmp is there for the
 * next (real documents rely on it). The sandbox's private /tmp per instance is replaced by this
 * build-wide directory (never part of a layer or an output); the test phase gets a fresh one, as
 * on EC2 where it runs on a new instance of the output image. A cached layer skips its build
 * phase, so the /tmp it left is kept with the cache entry (its extras dir, evicted with it) and
 * restored on a hit.
 */
import { chmod, cp, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerCache } from '../cache/layer-cache.ts';
import { INSTANCE_CA_PATH } from '../instance/pass-in.ts';

/** The pass-in CA bundle's directory: copied into every instance anew, not build state. */
const PASS_IN_DIR = INSTANCE_CA_PATH.split('/')[2]!;

/** Makes the build's /tmp (sticky, world-writable, like /tmp) in the build's work directory. */
export async function makeBuildTmp(workDir: string): Promise<string> {
  const dir = join(workDir, 'build-tmp');
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o1777);
  return dir;
}

const snapshotOf = (cache: LayerCache, key: string) => join(cache.extrasDir(key), 'tmp');

/** After a component's build phase: keeps the build's /tmp with the layer stored under `key`. */
export async function saveBuildTmp(cache: LayerCache | undefined, key: string, tmpDir: string): Promise<void> {
  if (!cache) return;
  const snapshot = snapshotOf(cache, key);
  await rm(snapshot, { recursive: true, force: true });
  const names = (await readdir(tmpDir)).filter((n) => n !== PASS_IN_DIR);
  if (!names.length) return;
  await mkdir(snapshot, { recursive: true });
  for (const n of names)
    await cp(join(tmpDir, n), join(snapshot, n), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
}

/** On a cache hit for `key`: the build's /tmp becomes what that component's build phase left. */
export async function restoreBuildTmp(cache: LayerCache, key: string, tmpDir: string): Promise<void> {
  for (const n of await readdir(tmpDir))
    if (n !== PASS_IN_DIR) await rm(join(tmpDir, n), { recursive: true, force: true });
  const snapshot = snapshotOf(cache, key);
  const names = await readdir(snapshot).catch(() => [] as string[]);
  for (const n of names)
    await cp(join(snapshot, n), join(tmpDir, n), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
}
