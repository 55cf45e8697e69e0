/**
 * @module Applies layers to the root file system of a raw disk: the root partition is loop-mounted
 * (ext4, `noatime`, `noinit_itable`) inside a private mount namespace (`unshare -m`) held by a small
 * shell, and Ingot applies the layers (apply-layers.ts) through that namespace's view of the mount
 * (`/proc/PID/root/...`: no second Node process to start). Then the blocks freed by deletions are
 * discarded (`fstrim`: the loop device punches them out of the disk file, so nothing a layer deleted
 * stays on the disk) and the file system is unmounted before this returns. The mount cannot outlive
 * the shell (its namespace), and the shell unmounts as soon as Ingot's end of its stdin closes, even
 * on `kill -9` of Ingot.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Confinement, startCommand } from '../process/index.ts';
import { applyLayers } from './apply-layers.ts';

const SCRIPT = [
  'set -e',
  'mount -t ext4 -o "loop,offset=$OFFSET,sizelimit=$SIZE,noatime,noinit_itable" "$DISK" "$MNT"',
  'echo mounted',
  // `ok` once the layers are applied; anything else (Ingot gone: end of input) leaves them as they are.
  'result=failed',
  'read -r result || true',
  'rc=0',
  // The freed blocks are free once the journal committed them: sync first, then discard them.
  'if [ "$result" = ok ]; then sync -f "$MNT" && fstrim "$MNT" || rc=$?; fi',
  'umount "$MNT"',
  'exit "$rc"',
].join('\n');

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
  try {
    const holder = startCommand(['unshare', '-m', '--propagation', 'private', 'sh', '-c', SCRIPT], {
      ...run,
      stdin: 'pipe',
      stdout: 'stream',
      label: 'mount of the kept disk',
      env: { DISK: disk, MNT: mnt, OFFSET: String(at.offset), SIZE: String(at.size) },
    });
    holder.stdin?.on('error', () => {}); // the shell may be gone already: `done` says why
    let failure: unknown;
    try {
      await mounted(holder.stdout, holder.done);
      await applyLayers(`/proc/${holder.pid}/root${mnt}`, layers);
    } catch (err) {
      failure = err;
    }
    holder.stdin?.end(failure === undefined ? 'ok\n' : 'failed\n');
    const ended = await holder.done.then(
      () => undefined,
      (err: unknown) => err,
    );
    if (failure !== undefined) throw explained(failure);
    if (ended) throw ended;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

/** Resolves when the shell printed `mounted`; rejects when it ended first (the mount failed). */
function mounted(stdout: NodeJS.ReadableStream | null, done: Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('mounted\n')) resolve();
    });
    done.then(
      () => reject(new Error('the kept disk was unmounted before the layers were applied')),
      (err: unknown) => reject(err),
    );
  });
}

function explained(err: unknown): unknown {
  if ((err as NodeJS.ErrnoException).code === 'ENOSPC')
    (err as Error).message =
      "the image does not fit in the disk's root file system (raise the root device's ebs.volumeSize in blockDeviceMappings)";
  return err;
}
