/**
 * @module The disk outputs of an image build: the boot disk (root sized by blockDeviceMappings)
 * and one empty disk per extra volume, written by the format table's writers (src/disk/formats/):
 * per-disk formats give one file per disk, the OVA one archive of them all. Each output is
 * checked, hashed and flushed to the device (`durable`, awaited before the build's manifest), and the sha256 goes in
 * manifest.json. Artifact formats are `disk-<format>` and
 * `volume-<name>-<format>`.
 */
import { join } from 'node:path';
import { open, rm } from 'node:fs/promises';
import type { Artifact } from '../../artifacts/manifest.ts';
import { syncPaths } from '../../files/sync-tree.ts';
import { describeDisk } from '../../disk/digest.ts';
import {
  BOOTABLE_ORDER,
  type DiskFormat,
  diskFirmware,
  FORMATS,
  type MachineSpec,
  type SourceDisk,
} from '../../disk/formats/index.ts';
import type { DiskLayout } from '../../disk/layout.ts';
import { type RootDiskSpec, writeRootDisk } from '../../disk/root-fs.ts';
import type { BootMode } from '../../disk/grub.ts';
import type { Confinement } from '../../process/index.ts';

export interface DiskOutputSpec {
  /** The image's layers with the bootable-disk layer on top, topmost first. */
  lowerDirs: readonly string[];
  outputDir: string;
  workDir: string;
  formats: readonly DiskFormat[];
  layout: DiskLayout;
  bootMode?: BootMode | undefined;
  /** The VM the OVA describes (name, vCPUs, memory); the firmware is read from the disk. */
  machine: Omit<MachineSpec, 'firmware'>;
  onLog?: (line: string) => void;
  /** The build's reader cgroup and abort signal (every command over the image and the disks runs in it). */
  run?: Confinement | undefined;
  /** What the disk's UUIDs derive from (writeRootDisk); default random. */
  seeds?: RootDiskSpec['seeds'];
  /** Kept disks to start the root file system from (writeRootDisk); default none. */
  reuse?: RootDiskSpec['reuse'];
}

export interface DiskOutputs {
  artifacts: Artifact[];
  /**
   * Settles once every output and the directory are on the device (the flush runs on while the
   * build goes on): await it before the build reports success (writes its manifest).
   */
  durable: Promise<void>;
  /**
   * The boot disk as written, in the work dir or the output dir: a raw file, or the qcow2 overlay of
   * a kept disk. The test phase boots it when no output is a disk qemu boots (only an OVA).
   */
  written: { path: string; qemuFormat: 'raw' | 'qcow2' };
  /** Per-stage milliseconds: root file system, conversions+checks (hashing starts during the checks), the sha256 left after them. */
  timings: { rootfsMs: number; convertMs: number; digestMs: number };
}

export async function writeDiskOutputs(spec: DiskOutputSpec): Promise<DiskOutputs> {
  const t0 = performance.now();
  const fileOf = (base: string, f: DiskFormat): string => join(spec.outputDir, `${base}.${FORMATS[f].extension}`);
  const rawOf = (base: string): string =>
    spec.formats.includes('raw') ? fileOf(base, 'raw') : join(spec.workDir, `${base}.raw`);
  // An earlier build's disks in this directory may be hard links of the output cache's blobs
  // (output-cache.ts): they are unlinked, never written through.
  const names = ['disk', ...spec.layout.extraVolumes.map((v) => `volume-${v.name}`)];
  await Promise.all(
    spec.formats.flatMap((f) => names.map((n) => rm(fileOf(FORMATS[f].allDisks ? 'disk' : n, f), { force: true }))),
  );
  const root = await writeRootDisk({
    lowerDirs: spec.lowerDirs,
    outFile: rawOf('disk'),
    sizeGiB: spec.layout.rootGiB,
    workDir: spec.workDir,
    bootMode: spec.bootMode,
    run: spec.run,
    seeds: spec.seeds,
    reuse: spec.reuse,
    // A raw disk is an output of its own (written whole); other formats convert from the overlay.
    overlay: spec.formats.includes('raw') ? undefined : join(spec.workDir, 'disk-overlay.qcow2'),
    onLog: spec.onLog,
  });
  const how =
    root.made.from === 'kept'
      ? `from the kept disk of the layers below, ${root.made.applied} layer(s) applied${root.made.overlay ? ' in a qcow2 overlay over it' : ''}`
      : root.made.from === 'fresh-kept'
        ? 'the layers below the top one written afresh (and kept for the next build), the top one applied'
        : 'written afresh';
  spec.onLog?.(`boot disk written: ${spec.layout.rootGiB} GiB, root file system UUID ${root.rootUuid} (${how})`);
  const disks: SourceDisk[] = [
    { path: root.path, format: root.format, sizeBytes: spec.layout.rootGiB * 2 ** 30, name: 'disk', boot: true },
  ];
  for (const v of spec.layout.extraVolumes) {
    const raw = rawOf(`volume-${v.name}`);
    const fh = await open(raw, 'w');
    await fh.truncate(v.sizeGiB * 2 ** 30);
    await fh.close();
    disks.push({ path: raw, sizeBytes: v.sizeGiB * 2 ** 30, name: `volume-${v.name}`, boot: false });
  }
  const machine: MachineSpec = { ...spec.machine, firmware: await diskFirmware(disks[0]!, spec.workDir, spec.run) };
  const t1 = performance.now();
  const jobs = spec.formats.flatMap((f) =>
    FORMATS[f].allDisks
      ? [{ format: f, base: 'disk', disks }]
      : disks.map((d) => ({ format: f, base: d.name, disks: [d] })),
  );
  // Each output is hashed and flushed to the device (qemu-img convert no longer flushes) from the
  // moment its bytes are final, while qemu-img checks it: the build reports success only once a crash
  // can no longer leave a disk whose bytes differ from its sha256.
  const finishing = new Map<string, { artifact: Promise<Artifact>; flushed: Promise<void> }>();
  const finish = (path: string, format: string) => {
    let p = finishing.get(path);
    if (!p) {
      p = { artifact: describeDisk(spec.outputDir, path, format), flushed: syncPaths([path]) };
      p.artifact.catch(() => {}); // awaited below
      p.flushed.catch(() => {}); // awaited by the caller (durable)
      finishing.set(path, p);
    }
    return p;
  };
  const written = await Promise.all(
    jobs.map(async (j) => {
      const format = `${j.base}-${j.format}`;
      const out = await FORMATS[j.format].write({
        disks: j.disks,
        out: fileOf(j.base, j.format),
        workDir: spec.workDir,
        machine,
        run: spec.run,
        onWritten: (path) => void finish(path, format),
      });
      spec.onLog?.(`${out.path}: ${out.checks}`);
      return { ...j, path: out.path, format: j.format, artifactFormat: format };
    }),
  );
  const t2 = performance.now();
  const finished = written.map((w) => finish(w.path, w.artifactFormat));
  const artifacts = await Promise.all(finished.map((f) => f.artifact));
  const durable = Promise.all(finished.map((f) => f.flushed)).then(() => syncPaths([spec.outputDir]));
  durable.catch(() => {}); // awaited by the caller
  const t3 = performance.now();
  return {
    artifacts,
    durable,
    written: { path: root.path, qemuFormat: root.format ?? 'raw' },
    timings: { rootfsMs: Math.round(t1 - t0), convertMs: Math.round(t2 - t1), digestMs: Math.round(t3 - t2) },
  };
}

/** The artifact to boot for the test phase: the first disk format qemu reads, raw first. */
export function bootDiskArtifact(
  artifacts: readonly Artifact[],
): { artifact: Artifact; qemuFormat: string } | undefined {
  for (const f of BOOTABLE_ORDER) {
    const artifact = artifacts.find((a) => a.format === `disk-${f}`);
    const qemu = FORMATS[f].qemu;
    if (artifact && qemu) return { artifact, qemuFormat: qemu };
  }
  return undefined;
}
