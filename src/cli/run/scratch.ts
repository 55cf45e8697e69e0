/**
 * @module The temporary directory of `ingot run` and `ingot shell` ($TMPDIR/ingot-run-* and
 * ingot-shell-*: the VM's overlay with everything the guest wrote, its seed, key and console),
 * owned by the process (owner.json). A run killed with SIGKILL cannot remove its own: the next
 * run removes those of this user whose owner is gone.
 */
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownerAlive, writeOwner } from '../../process/index.ts';

const PREFIXES = ['ingot-run-', 'ingot-shell-'] as const;

/** A new temporary directory for `ingot run` (`ingot-run-`) or `ingot shell` (`ingot-shell-`), owned by this process. */
export async function makeScratch(prefix: (typeof PREFIXES)[number], root = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(root, prefix));
  await writeOwner(dir);
  return dir;
}

/**
 * Removes the temporary directories of killed runs in `root`: this user's, with an owner file whose
 * process is gone. Directories without an owner file (being made right now, or an older Ingot's) stay.
 */
export async function reapStaleScratch(root = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!PREFIXES.some((p) => name.startsWith(p))) continue;
    const dir = join(root, name);
    const st = await lstat(dir).catch(() => undefined);
    if (!st?.isDirectory() || st.uid !== process.getuid?.()) continue;
    if (await ownerAlive(dir, Number.POSITIVE_INFINITY)) continue;
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
