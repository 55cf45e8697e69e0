/**
 * @module Incremental boot disks: the root file system of an image's layers but its top `j` is kept
 * (src/cache/kept-disks.ts); a build whose lower layers match copies that disk and applies only its top
 * layers and the disk's own files (mounted-root.ts) instead of writing the whole file system with
 * `mkfs.ext4 -d`. The first build on new lower layers writes them with mkfs.ext4, keeps that disk,
 * then applies its top layer the same way, so every build of one image takes the same path; a
 * build that found a disk further down keeps the disk of its own lower layers for the next one.
 */
import { createHash } from 'node:crypto';
import { type Confinement, runCommand } from '../process/index.ts';
import { NotIncremental } from './apply-layers.ts';
import { applyLayersToDisk, applyLayersToOverlay } from './mounted-root.ts';

/** Where kept disks are found and kept (src/cache/kept-disks.ts: bounded there; each key names the scope). */
export interface KeptDisks {
  /** The kept disk of `key` (a file to copy), or undefined. */
  find: (key: string) => Promise<string | undefined>;
  /**
   * Keeps a copy of `file` under `key`: resolves once the copy is made (`file` may change then),
   * with `settled`, once the kept disk is durable and findable.
   */
  keep: (key: string, file: string) => Promise<{ settled: Promise<void> }>;
}

export interface RootDiskReuse {
  kept: KeptDisks;
  /** Content identities of the lower dirs (layer digests, the base's), in their order: topmost first. */
  ids: readonly string[];
  /** How many of the top layers may be applied to a kept disk (the layers above the bootable-disk layer). */
  levels: number;
  /** The cache scope (the account): part of every key. */
  scope: string | undefined;
}

export interface IncrementalRootSpec {
  outFile: string;
  /** The image's layers, topmost first. */
  lowerDirs: readonly string[];
  /** The disk's own files (fstab, grub.cfg, identity resets), applied last. */
  top: string;
  /** The root partition's byte range in the disk. */
  root: { offset: number; size: number };
  reuse: RootDiskReuse;
  /** The key of the disk holding lowerDirs.slice(j). */
  keyOf: (j: number) => string;
  /**
   * Where the disk may be written as a qcow2 overlay of the kept disk instead (the caller converts
   * it): when a kept disk holds every layer but the top one, nothing of it is copied.
   */
  overlay?: string | undefined;
  /**
   * Writes the partition table and the boot partitions into `disk` (`overwrite`: over a kept disk's;
   * `current`: a file with the bytes `disk` holds, read instead of it).
   */
  prepareDisk: (overwrite: boolean, disk: string, current?: string) => Promise<void>;
  /** Writes the root file system of `layers` afresh. */
  mkfs: (layers: readonly string[]) => Promise<unknown>;
  scratchDir: string;
  run: Confinement;
  onLog?: ((line: string) => void) | undefined;
}

/** The key of the disk whose root holds the layers `ids` (topmost first) with `settings`, in `scope`. */
export function keptDiskKey(ids: readonly string[], settings: unknown, scope: string | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify(['ingot-kept-disk-1', scope ?? '', ids, settings]))
    .digest('hex');
}

/** Copies `from` to `to` keeping its holes (cp finds the data with SEEK_DATA and copies only that). */
async function copySparse(from: string, to: string, run: Confinement): Promise<void> {
  await runCommand(['cp', '--sparse=always', from, to], run);
}

export type IncrementalMade =
  | { from: 'kept'; applied: number }
  | { from: 'kept-overlay'; applied: 1; overlay: string }
  | { from: 'fresh-kept' };

/** Writes the disk from a kept one when there is one, else afresh below its top layer (then kept). */
export async function writeIncrementalRoot(s: IncrementalRootSpec): Promise<IncrementalMade> {
  const t0 = performance.now();
  if (s.overlay) {
    const kept = await s.reuse.kept.find(s.keyOf(1));
    const overlay = s.overlay;
    // Pruned by another build meanwhile (or no qemu-storage-daemon): the copying path below.
    const done = kept
      ? await applyLayersToOverlay(
          kept,
          overlay,
          s.root,
          // The overlay reads as the kept disk until written: compared against that, not through FUSE.
          (disk) => s.prepareDisk(true, disk, kept),
          [s.lowerDirs[0]!, s.top],
          s.scratchDir,
          s.run,
        ).then(
          () => true,
          async (err: unknown) => {
            if (err instanceof NotIncremental || s.run.signal?.aborted) throw err;
            s.onLog?.(`kept disk not usable through an overlay, copied instead: ${(err as Error).message}`);
            return false;
          },
        )
      : false;
    if (done) {
      s.onLog?.(
        `root file system: top layer applied over the kept disk (qcow2 overlay) in ${Math.round(performance.now() - t0)} ms`,
      );
      return { from: 'kept-overlay', applied: 1, overlay };
    }
  }
  let hit: number | undefined;
  for (let j = 1; j <= s.reuse.levels && hit === undefined; j++) {
    const file = await s.reuse.kept.find(s.keyOf(j));
    if (!file) continue;
    // Pruned by another build meanwhile: a miss.
    if (
      await copySparse(file, s.outFile, s.run).then(
        () => true,
        () => false,
      )
    )
      hit = j;
  }
  const t1 = performance.now();
  await s.prepareDisk(hit !== undefined, s.outFile);
  const t2 = performance.now();
  const apply = (layers: readonly string[]) => applyLayersToDisk(s.outFile, s.root, layers, s.scratchDir, s.run);
  if (hit === undefined) await s.mkfs(s.lowerDirs.slice(1));
  else if (hit > 1) await apply(s.lowerDirs.slice(1, hit).reverse());
  const notKept = (err: unknown) =>
    s.onLog?.(`could not keep the disk for incremental builds: ${(err as Error).message}`);
  // The kept copy reaches the device while the top layer is applied.
  let settled: Promise<void> | undefined;
  if (hit !== 1)
    try {
      settled = (await s.reuse.kept.keep(s.keyOf(1), s.outFile)).settled.catch(notKept);
    } catch (err) {
      notKept(err);
    }
  const t3 = performance.now();
  try {
    await apply([s.lowerDirs[0]!, s.top]);
  } finally {
    await settled;
  }
  const ms = (a: number, b: number) => Math.round(b - a);
  s.onLog?.(
    `root file system: ${hit === undefined ? 'written afresh' : 'kept disk copied'} in ${ms(t0, t1)} ms, boot partitions ${ms(t1, t2)} ms, ${hit === undefined ? 'lower layers written' : 'lower layers applied'} in ${ms(t2, t3)} ms, top layer applied in ${ms(t3, performance.now())} ms`,
  );
  return hit === undefined ? { from: 'fresh-kept' } : { from: 'kept', applied: hit };
}
