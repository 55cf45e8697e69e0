/**
 * @module The disk outputs of an image build: the boot disk (root sized by blockDeviceMappings)
 * and one empty disk per extra volume, each in every requested format, checked, with sha256s in
 * manifest.json. Artifact formats are `disk-<format>` and `volume-<name>-<format>`.
 */
import { join } from 'node:path';
import { open } from 'node:fs/promises';
import type { Artifact } from '../../artifacts/manifest.ts';
import { describeDisk } from '../../disk/digest.ts';
import { convertAll, FORMAT_SPECS } from '../../disk/convert.ts';
import type { DiskFormat, DiskLayout } from '../../disk/layout.ts';
import { writeRootDisk } from '../../disk/root-fs.ts';
import type { BootMode } from '../../disk/grub.ts';

export const EXTENSIONS: Record<DiskFormat, string> = {
  raw: 'raw',
  qcow2: 'qcow2',
  vmdk: 'vmdk',
  vhdx: 'vhdx',
  vhd: 'vhd',
};

export interface DiskOutputSpec {
  /** The image's layers with the bootable-disk layer on top, topmost first. */
  lowerDirs: readonly string[];
  outputDir: string;
  workDir: string;
  formats: readonly DiskFormat[];
  layout: DiskLayout;
  bootMode?: BootMode | undefined;
  onLog?: (line: string) => void;
}

export interface DiskOutputs {
  artifacts: Artifact[];
  /** Per-stage milliseconds: root file system, conversions+checks, sha256. */
  timings: { rootfsMs: number; convertMs: number; digestMs: number };
}

export async function writeDiskOutputs(spec: DiskOutputSpec): Promise<DiskOutputs> {
  const t0 = performance.now();
  const targets = (base: string): Map<DiskFormat, string> =>
    new Map(spec.formats.map((f) => [f, join(spec.outputDir, `${base}.${EXTENSIONS[f]}`)]));
  const rawOf = (base: string): string =>
    spec.formats.includes('raw') ? join(spec.outputDir, `${base}.raw`) : join(spec.workDir, `${base}.raw`);
  const root = await writeRootDisk({
    lowerDirs: spec.lowerDirs,
    outFile: rawOf('disk'),
    sizeGiB: spec.layout.rootGiB,
    workDir: spec.workDir,
    bootMode: spec.bootMode,
  });
  spec.onLog?.(`boot disk written: ${spec.layout.rootGiB} GiB, root file system UUID ${root.rootUuid}`);
  const volumes = spec.layout.extraVolumes.map((v) => ({ ...v, raw: rawOf(`volume-${v.name}`) }));
  for (const v of volumes) {
    const fh = await open(v.raw, 'w');
    await fh.truncate(v.sizeGiB * 2 ** 30);
    await fh.close();
  }
  const t1 = performance.now();
  const checked = await Promise.all([
    convertAll(root.path, targets('disk'), spec.layout.rootGiB * 2 ** 30),
    ...volumes.map((v) => convertAll(v.raw, targets(`volume-${v.name}`), v.sizeGiB * 2 ** 30)),
  ]);
  for (const c of checked.flat())
    spec.onLog?.(
      `${c.path}: ${FORMAT_SPECS[c.format].qemu}, qemu-img check ${c.checked ? 'passed' : 'not supported by the format'}`,
    );
  const t2 = performance.now();
  const artifacts = await Promise.all([
    ...[...targets('disk')].map(([f, p]) => describeDisk(spec.outputDir, p, `disk-${f}`)),
    ...volumes.flatMap((v) =>
      [...targets(`volume-${v.name}`)].map(([f, p]) => describeDisk(spec.outputDir, p, `volume-${v.name}-${f}`)),
    ),
  ]);
  const t3 = performance.now();
  return {
    artifacts,
    timings: { rootfsMs: Math.round(t1 - t0), convertMs: Math.round(t2 - t1), digestMs: Math.round(t3 - t2) },
  };
}

/** The artifact to boot for the test phase: raw if made, else the first disk format qemu reads. */
export function bootDiskArtifact(
  artifacts: readonly Artifact[],
): { artifact: Artifact; qemuFormat: string } | undefined {
  for (const f of ['raw', 'qcow2', 'vmdk', 'vhdx', 'vhd'] as const) {
    const artifact = artifacts.find((a) => a.format === `disk-${f}`);
    if (artifact) return { artifact, qemuFormat: FORMAT_SPECS[f].qemu };
  }
  return undefined;
}
