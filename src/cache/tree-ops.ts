/** @module Moving and measuring whole directory trees (owners, devices, whiteouts and xattrs preserved). */
import { rename, rm } from 'node:fs/promises';
import { runCommand } from '../process/index.ts';

/**
 * Moves `from` to `to` (which must not exist). A rename when both are on one file system; otherwise `cp -a`
 * (keeps overlay whiteout devices, `trusted.overlay.*` xattrs, owners and hard links) and then removes `from`.
 */
export async function moveTree(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
  }
  try {
    await runCommand(['cp', '-a', '--reflink=auto', '--', from, to]);
  } catch (err) {
    await rm(to, { recursive: true, force: true });
    throw err;
  }
  await rm(from, { recursive: true, force: true });
}

/** Bytes the tree takes on disk (hard links counted once), as `du` reports. */
export async function diskUsage(path: string): Promise<number> {
  const { stdout } = await runCommand(['du', '-s', '--block-size=1', '--', path]);
  return Number(stdout.split(/\s/, 1)[0]);
}
