/**
 * @module Applies layers to the root file system of a raw disk: the root partition is loop-mounted
 * (ext4, `noatime`, `noinit_itable`) inside a private mount namespace (`unshare -m`), where a child
 * Node process applies the layers (apply-layers.ts); then the blocks freed by deletions are
 * discarded (`fstrim`: the loop device punches them out of the disk file, so nothing a layer deleted
 * stays on the disk) and the file system is unmounted before this returns. The mount cannot outlive
 * the command, even on `kill -9` of Ingot.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { type Confinement, runCommand } from '../process/index.ts';
import { NotIncremental } from './apply-layers.ts';

const SCRIPT = [
  'set -e',
  'mount -t ext4 -o "loop,offset=$OFFSET,sizelimit=$SIZE,noatime,noinit_itable" "$DISK" "$MNT"',
  'rc=0',
  '"$@" || rc=$?',
  // The freed blocks are free once the journal committed them: sync first, then discard them.
  '[ "$rc" != 0 ] || { sync -f "$MNT" && fstrim "$MNT"; }',
  'umount "$MNT"',
  'exit "$rc"',
].join('\n');

/** Exit code of the applier for layers it cannot apply (NotIncremental). */
const NOT_INCREMENTAL = 3;

/**
 * Applies `layers` (bottom first) to the ext4 file system at byte `offset` (`size` bytes) of `disk`.
 * Throws NotIncremental when the layers hold what only a fresh file system can take.
 */
export async function applyLayersToDisk(
  disk: string,
  at: { offset: number; size: number },
  layers: readonly string[],
  scratchDir: string,
  run: Confinement = {},
): Promise<void> {
  const base = await mkdtemp(join(scratchDir, 'ingot-apply-'));
  const mnt = join(base, 'root');
  await mkdir(mnt);
  const entry = fileURLToPath(new URL('./apply-layers.ts', import.meta.url));
  try {
    const out = await runCommand(
      ['unshare', '-m', '--propagation', 'private', 'sh', '-c', SCRIPT, 'sh', process.execPath, entry, mnt, ...layers],
      {
        ...run,
        okCodes: [NOT_INCREMENTAL],
        label: 'apply layers to the kept disk',
        env: { DISK: disk, MNT: mnt, OFFSET: String(at.offset), SIZE: String(at.size) },
      },
    );
    if (out.exitCode === NOT_INCREMENTAL) throw new NotIncremental(out.stderr.trim());
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
