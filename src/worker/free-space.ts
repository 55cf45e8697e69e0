/**
 * @module The free-space floor: a build starts only when INGOT_HOME's file system has at least
 * `INGOT_MIN_FREE_GIB` (default 1, `0` turns the check off) free, so a build fails at once with a
 * clear reason instead of part-way through with ENOSPC.
 */
import { statfs } from 'node:fs/promises';
import { IngotError } from '../errors/ingot-error.ts';

/** Refuses to start a build with less than `minFreeGib` GiB free in `home` (0: no check). */
export async function checkFreeSpace(home: string, minFreeGib = 1): Promise<void> {
  const floor = minFreeGib * 2 ** 30;
  if (floor === 0) return;
  const fs = await statfs(home);
  const free = fs.bavail * fs.bsize;
  if (free < floor)
    throw new IngotError(
      'unavailable',
      `not enough free space to start a build: ${(free / 2 ** 30).toFixed(2)} GiB free in ${home}, the floor is ${(floor / 2 ** 30).toFixed(2)} GiB (INGOT_MIN_FREE_GIB)`,
    );
}
