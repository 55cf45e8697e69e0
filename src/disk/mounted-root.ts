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
import { link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Confinement, runCommand, type StartedCommand, startCommand } from '../process/index.ts';
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
 * The holder of an overlay: a qcow2 file over the kept raw disk, exported by qemu-storage-daemon as a
 * raw file (FUSE, in the shell's private mount namespace, so it goes with the shell), written
 * (`prepared`), then loop-mounted like a disk file. The kept disk is only read: nothing of it is
 * copied, and only the clusters the build writes land in the overlay.
 */
const OVERLAY_SCRIPT = [
  'set -e',
  ': > "$EXP"',
  'qemu-storage-daemon --blockdev "$BLOCK_FILE" --blockdev "$BLOCK_QCOW2" --export "$EXPORT" &',
  'qsd=$!',
  // The export is up once the file is a FUSE mount in this namespace.
  "trap 'kill $qsd 2>/dev/null || true; wait $qsd || true' EXIT",
  'while ! grep -q " $EXP fuse" /proc/self/mounts; do kill -0 $qsd; sleep 0.005; done',
  'echo exported',
  'read -r go || exit 1',
  '[ "$go" = mount ] || exit 1',
  // Online discard, not fstrim: only the blocks this mount frees are discarded (fstrim would discard
  // all free space, and the overlay would mark every free cluster of the disk zero).
  'mount -t ext4 -o "loop,offset=$OFFSET,sizelimit=$SIZE,noatime,noinit_itable,discard" "$EXP" "$MNT"',
  'echo mounted',
  'result=failed',
  'read -r result || true',
  'rc=0',
  'if [ "$result" = ok ]; then sync -f "$MNT" || rc=$?; fi',
  'umount "$MNT"',
  // qemu-storage-daemon flushes the overlay as it stops (SIGTERM).
  'kill $qsd',
  'wait $qsd || rc=$?',
  'trap - EXIT',
  'exit "$rc"',
].join('\n');

/**
 * Writes `overlay`, a qcow2 file backed by the raw disk `kept` (only read): `prepare` gets a path
 * to write the disk through (partition table, boot partitions), then `layers` (bottom first) are
 * applied to the ext4 file system at `at` as applyLayersToDisk does. The result reads as the kept
 * disk with those writes: convert it (qemu-img convert -f qcow2) for a standalone disk.
 */
export async function applyLayersToOverlay(
  kept: string,
  overlay: string,
  at: { offset: number; size: number },
  prepare: (disk: string) => Promise<void>,
  layers: readonly string[],
  scratchDir: string,
  run: Confinement = {},
): Promise<void> {
  // A hard link pins the kept disk while the overlay needs it (the store may prune it meanwhile).
  const pinned = `${overlay}.kept.raw`;
  const backing = await link(kept, pinned).then(
    () => pinned,
    () => kept,
  );
  await runCommand(
    // 4 KiB clusters, the file system's blocks: every block fstrim frees reads as zeros (a discard
    // smaller than a cluster would be dropped, and the kept disk's bytes would show through).
    [
      'qemu-img',
      'create',
      '-q',
      '-f',
      'qcow2',
      '-o',
      'compat=1.1,cluster_size=4096',
      '-b',
      resolve(backing),
      '-F',
      'raw',
      overlay,
    ],
    run,
  );
  const base = await mkdtemp(join(scratchDir, 'ingot-apply-'));
  const mnt = join(base, 'root');
  const exp = join(base, 'disk');
  await mkdir(mnt);
  try {
    const holder = startCommand(['unshare', '-m', '--propagation', 'private', 'sh', '-c', OVERLAY_SCRIPT], {
      ...run,
      stdin: 'pipe',
      stdout: 'stream',
      label: 'overlay of the kept disk',
      // qemu-storage-daemon goes with the shell however it ends (abort, Ingot killed).
      group: true,
      env: {
        EXP: exp,
        MNT: mnt,
        OFFSET: String(at.offset),
        SIZE: String(at.size),
        // discard=unmap: fstrim's discards reach the overlay (qcow2 marks the clusters zero over a backing file).
        BLOCK_FILE: JSON.stringify({
          driver: 'file',
          'node-name': 'file',
          filename: resolve(overlay),
          discard: 'unmap',
        }),
        BLOCK_QCOW2: JSON.stringify({ driver: 'qcow2', 'node-name': 'disk', file: 'file', discard: 'unmap' }),
        EXPORT: JSON.stringify({ type: 'fuse', id: 'disk', 'node-name': 'disk', mountpoint: exp, writable: true }),
      },
    });
    await whileHeld(holder, async () => {
      await printed(holder.stdout, holder.done, 'exported');
      await prepare(`/proc/${holder.pid}/root${exp}`);
      holder.stdin?.write('mount\n');
      await printed(holder.stdout, holder.done, 'mounted');
      await applyLayers(`/proc/${holder.pid}/root${mnt}`, layers);
    });
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

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
    await whileHeld(holder, async () => {
      await printed(holder.stdout, holder.done, 'mounted');
      await applyLayers(`/proc/${holder.pid}/root${mnt}`, layers);
    });
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

/**
 * Runs `steps` while `holder` (a shell in its own mount namespace) keeps the mounts, then tells it
 * how they went ("ok", or "failed") and waits for it to unmount and end.
 */
async function whileHeld(holder: StartedCommand, steps: () => Promise<void>): Promise<void> {
  holder.stdin?.on('error', () => {}); // the shell may be gone already: `done` says why
  let failure: unknown;
  try {
    await steps();
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
}

/** Resolves when the shell printed the line `what`; rejects when it ended first (the mount failed). */
function printed(stdout: NodeJS.ReadableStream | null, done: Promise<unknown>, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.split('\n').includes(what)) {
        stdout?.off('data', onData);
        resolve();
      }
    };
    stdout?.on('data', onData);
    done.then(
      () => reject(new Error(`the kept disk was unmounted before the layers were applied (not ${what})`)),
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
