/**
 * @module Build work directories (`$INGOT_HOME/work/build-*`) carry their owner (pid + start time),
 * so any live Ingot process can remove the ones a killed process left behind.
 */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ownerAlive, writeOwner } from '../process/index.ts';
import { mountsUnder, unmount } from '../instance/sandbox/mounts.ts';

/** Written when `--keep-on-failure` keeps a work dir for `ingot shell`: never reaped. */
const KEPT_FILE = 'kept';
/** A work dir without an owner file younger than this may be being created right now. */
const GRACE_MS = 60_000;

export const workRoot = (home: string): string => join(home, 'work');

/** A new `work/build-*` directory owned by this process. */
export async function createBuildWorkDir(home: string): Promise<string> {
  await mkdir(workRoot(home), { recursive: true });
  const dir = await mkdtemp(join(workRoot(home), 'build-'));
  await writeOwner(dir);
  return dir;
}

/** Marks a work dir as kept on purpose (for `ingot shell`). */
export async function markWorkDirKept(dir: string): Promise<void> {
  await writeFile(join(dir, KEPT_FILE), '');
}

/** Removes `work/build-*` dirs whose owning process is gone (not kept ones); returns them. */
export async function reapStaleWorkDirs(home: string): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(workRoot(home)).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith('build-'))) {
    const dir = join(workRoot(home), name);
    const kept = await Promise.all(
      [KEPT_FILE, 'instance.json'].map((f) =>
        stat(join(dir, f)).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (kept.some(Boolean) || (await ownerAlive(dir, GRACE_MS))) continue;
    for (const m of await mountsUnder(dir)) await unmount(m);
    if ((await mountsUnder(dir)).length > 0) continue; // never delete across a mount
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
