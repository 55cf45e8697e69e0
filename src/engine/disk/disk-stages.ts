/**
 * @module The build engine's disk hooks: the bootable-disk component (its layer goes right above
 * the parent, so it stays cached whatever the recipe's components are), `writeDiskImageOutputs`
 * writes the disks from the finished layers; `testOnDisk` boots the boot disk from
 * a copy-on-write overlay under qemu, runs the recipe's test phases inside, and proves the
 * artifact was not modified (its sha256 is read again afterwards).
 */
import { basename, join } from 'node:path';
import { BuildFailure } from '../failure.ts';
import type { LayerStack, StackContext } from '../layer-stack.ts';
import type { Artifact } from '../../artifacts/manifest.ts';
import { sha256Large } from '../../disk/digest.ts';
import type { BuildComponent } from '../request.ts';
import { hasPhase, runComponentsPhase } from '../run-phase.ts';
import { withPassIn } from '../../instance/pass-in.ts';
import { createQemuInstance } from '../../instance/qemu/create.ts';
import type { DiskFormat } from '../../disk/formats/index.ts';
import { diskLayout, type BlockDeviceMapping } from '../../disk/layout.ts';
import type { BootMode } from '../../disk/grub.ts';
import type { Firmware } from '../../instance/qemu/firmware.ts';
import { bootDiskArtifact, type DiskOutputs, writeDiskOutputs } from './outputs.ts';
import { confined } from '../confined.ts';
import { findKeptDisk, keepDisk, KEPT_DISKS } from '../../cache/kept-disks.ts';
import type { RootDiskReuse } from '../../disk/incremental-disk.ts';
import type { Confinement } from '../../process/index.ts';

export { bootComponent } from './boot-component.ts';

export interface DiskRequest {
  /** The image's name (the OVA's virtual machine). */
  name?: string | undefined;
  diskFormats?: DiskFormat[] | undefined;
  blockDeviceMappings?: BlockDeviceMapping[] | undefined;
  bootMode?: BootMode | undefined;
}

/** True when the build should make disks (and test by booting one). */
export const wantsDisks = (r: DiskRequest): boolean => !!r.diskFormats?.length;

/** Cache-key part for the outputs of a disk build. */
export const diskOutputKey = (r: DiskRequest): string =>
  wantsDisks(r) ? JSON.stringify([r.diskFormats, diskLayout(r.blockDeviceMappings), r.bootMode ?? 'hybrid']) : '';

/** The boot disk as the disk stages wrote it (DiskOutputs.written). */
export type WrittenDisk = DiskOutputs['written'];

/**
 * Writes the disks. `ids` (the content identity of each lower dir, topmost first) make the disk's
 * UUIDs follow from its layers, and with a layer cache let the root file system start from a kept
 * disk of the layers below the top ones (the layers above the bootable-disk layer: `stack.layers[0]`).
 */
export async function writeDiskImageOutputs(
  ctx: StackContext,
  stack: LayerStack,
  outputDir: string,
  r: DiskRequest,
  ids?: readonly string[] | undefined,
): Promise<{ artifacts: Artifact[]; durable: Promise<void>; bootDisk: WrittenDisk }> {
  const layout = diskLayout(r.blockDeviceMappings);
  const levels = Math.max(0, stack.layers.length - 1);
  const seeds = ids ? { base: JSON.stringify(ids.slice(levels)), image: JSON.stringify(ids) } : undefined;
  const store = ctx.cache && { dir: join(ctx.cache.root, 'disks'), keep: KEPT_DISKS };
  const reuseIn = (run: Confinement): RootDiskReuse | undefined =>
    ids && store && levels > 0
      ? {
          kept: { find: (key) => findKeptDisk(store, key), keep: (key, file) => keepDisk(store, key, file, run) },
          ids,
          levels,
          scope: ctx.cacheScope,
        }
      : undefined;
  const out = await confined(ctx, 'disk stages', (run) =>
    writeDiskOutputs({
      run,
      lowerDirs: stack.lowerDirs,
      outputDir,
      workDir: ctx.workDir,
      formats: r.diskFormats ?? ['raw'],
      layout,
      bootMode: r.bootMode,
      seeds,
      reuse: reuseIn(run),
      machine: { name: r.name ?? 'ingot-image', cpus: 2, memoryMiB: 2048, ...ctx.machine },
      onLog: (line) => ctx.onEvent({ type: 'log', line }),
    }),
  );
  ctx.onEvent({
    type: 'log',
    line: `disk stages: root file system ${out.timings.rootfsMs} ms, conversions and checks ${out.timings.convertMs} ms, sha256 ${out.timings.digestMs} ms`,
  });
  return { artifacts: out.artifacts, durable: out.durable, bootDisk: out.written };
}

/**
 * Boots the boot disk (under UEFI when the recipe pinned it, else SeaBIOS) with an SSH key given
 * through a NoCloud seed, runs the components' test phases inside (if any), and checks the disk
 * file was not changed.
 */
export async function testOnDisk(
  ctx: StackContext,
  outputDir: string,
  artifacts: readonly Artifact[],
  written: WrittenDisk,
  components: readonly BuildComponent[],
  bootMode?: BootMode,
  dataVolumesGiB: readonly number[] = [],
): Promise<void> {
  const boot = bootDiskArtifact(artifacts);
  if (!boot) {
    // Only an OVA was asked for: boot the disk its VMDK was converted from, as the disk stages
    // wrote it (a raw file, or after a small change the qcow2 overlay of the kept disk).
    await runTestsInVm(
      ctx,
      {
        path: written.path,
        qemuFormat: written.qemuFormat,
        name: basename(written.path),
        firmware: bootMode === 'uefi' ? 'uefi' : 'bios',
      },
      components,
      dataVolumesGiB,
    );
    return;
  }
  const disk = join(outputDir, boot.artifact.path);
  await runTestsInVm(
    ctx,
    {
      path: disk,
      qemuFormat: boot.qemuFormat,
      name: boot.artifact.path,
      firmware: bootMode === 'uefi' ? 'uefi' : 'bios',
    },
    components,
    dataVolumesGiB,
  );
  if ((await sha256Large(disk)) !== boot.artifact.sha256)
    throw new BuildFailure(
      'test',
      `${boot.artifact.path} changed while it was tested (its sha256 differs from manifest.json)`,
    );
}

/**
 * Boots `disk` under qemu from a copy-on-write overlay (the disk itself is only read) and runs
 * the components' test phases inside.
 */
export async function runTestsInVm(
  ctx: StackContext,
  disk: { path: string; qemuFormat: string; name: string; firmware?: Firmware },
  components: readonly BuildComponent[],
  dataVolumesGiB: readonly number[] = [],
): Promise<void> {
  const withTests = components.filter((c) => hasPhase(c, 'test'));
  const started = performance.now();
  const booted = await createQemuInstance({
    disk: disk.path,
    diskFormat: disk.qemuFormat,
    workDir: ctx.workDir,
    hostname: 'ingot-test',
    firmware: disk.firmware,
    signal: ctx.signal,
    dataVolumesGiB,
    onBootProgress: (line) => ctx.onEvent({ type: 'log', line: `booting ${disk.name}: ${line}` }),
    ...(ctx.qemuAccel ? { accel: ctx.qemuAccel } : {}),
  }).catch((err: unknown) => {
    throw new BuildFailure('test', `the disk image did not boot: ${(err as Error).message}`, undefined, { cause: err });
  });
  const instance = withPassIn(booted, ctx.passIn);
  ctx.onEvent({
    type: 'log',
    line: `booted ${disk.name} under qemu (${disk.firmware ?? 'bios'}${dataVolumesGiB.length ? `, with empty data volumes of ${dataVolumesGiB.map((g) => `${g} GiB`).join(', ')}` : ''}) in ${((performance.now() - started) / 1000).toFixed(1)} s: SSH answered with the key given through the NoCloud seed`,
  });
  try {
    if (!withTests.length) return;
    await runComponentsPhase({
      instance,
      components: withTests,
      phase: 'test',
      logDir: ctx.logDir,
      signal: ctx.signal,
      onEvent: ctx.onEvent,
    });
  } finally {
    await instance.close();
  }
}
