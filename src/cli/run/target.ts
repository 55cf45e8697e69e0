/**
 * @module What `ingot run` boots: a build's output directory (its manifest.json) or an image ARN
 * (the directory the server keeps that build's outputs in), and in it the disk qemu reads best
 * (raw, qcow2, vmdk, vhdx, vhd; an OVA's boot disk is extracted first).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputManifest } from '../../artifacts/manifest.ts';
import { imageOutputDir } from '../../artifacts/output-dirs.ts';
import { tryParseArn } from '../../arn/arn.ts';
import {
  diskVirtualSize,
  extractOvaBootDisk,
  FORMATS,
  isDiskFormat,
  onlyUefiBoots,
  readDiskHead,
} from '../../disk/formats/index.ts';
import { bootDiskArtifact } from '../../engine/disk/outputs.ts';
import { IngotError } from '../../errors/ingot-error.ts';

export interface BootTarget {
  /** The disk to boot (only read: writes go to an overlay). */
  disk: string;
  qemuFormat: string;
  /** The sizes of the output's extra volumes (empty disks), attached as fresh empty disks. */
  dataVolumesGiB?: number[];
  /** `uefi` for a disk only UEFI boots (`ingot:boot-mode: uefi`): OVMF instead of SeaBIOS. */
  firmware?: 'uefi';
  /** The manifest's name and version, for messages. */
  label: string;
}

/** The output directory of `target`: itself, or for an image build version ARN the server's copy. */
export function outputDirOf(target: string, home: string): string {
  if (!target.startsWith('arn:')) return target;
  const arn = tryParseArn(target);
  if (arn?.type !== 'image' || arn.version === undefined || arn.build === undefined)
    throw new IngotError(
      'invalid-input',
      `${target} is not an image build version ARN (arn:aws:imagebuilder:REGION:ACCOUNT:image/NAME/1.0.0/1)`,
    );
  return imageOutputDir(home, target);
}

export async function bootTarget(target: string, home: string, scratchDir: string): Promise<BootTarget> {
  const dir = outputDirOf(target, home);
  const text = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => {
    throw new IngotError(
      'not-found',
      target.startsWith('arn:')
        ? `no outputs of ${target} in ${dir} (is INGOT_HOME the server's, and did the build finish?)`
        : `${target} is not a build output directory (no manifest.json)`,
    );
  });
  const manifest = JSON.parse(text) as OutputManifest;
  const label = `${manifest.name} ${manifest.version}`;
  const boot = bootDiskArtifact(manifest.artifacts);
  if (boot) {
    const disk = join(dir, boot.artifact.path);
    const dataVolumesGiB = await volumeSizesGiB(dir, manifest);
    return {
      disk,
      qemuFormat: boot.qemuFormat,
      label,
      ...(dataVolumesGiB.length ? { dataVolumesGiB } : {}),
      ...(await uefiOnly(disk, boot.qemuFormat, scratchDir)),
    };
  }
  const ova = manifest.artifacts.find((a) => a.format === 'disk-ova');
  if (ova) {
    const disk = await extractOvaBootDisk(join(dir, ova.path), scratchDir);
    return { disk, qemuFormat: 'vmdk', label, ...(await uefiOnly(disk, 'vmdk', scratchDir)) };
  }
  throw new IngotError(
    'invalid-input',
    `${label} has no disk image to boot (${manifest.artifacts.map((a) => a.format).join(', ') || 'no artifacts'}); build it with --format qcow2`,
  );
}

/**
 * The extra volumes of the recipe's block device mappings (`volume-NAME-FORMAT` artifacts: empty
 * disks, one per format asked for), one size per volume in the order the build wrote them.
 */
async function volumeSizesGiB(dir: string, manifest: OutputManifest): Promise<number[]> {
  const seen = new Set<string>();
  const sizes: number[] = [];
  for (const a of manifest.artifacts) {
    const [, name = '', format = ''] = /^volume-(.+)-([a-z0-9]+)$/.exec(a.format) ?? [];
    if (!name || seen.has(name) || !isDiskFormat(format)) continue;
    const qemu = FORMATS[format].qemu;
    if (!qemu) continue;
    seen.add(name);
    sizes.push(Math.ceil((await diskVirtualSize(join(dir, a.path), qemu)) / 2 ** 30));
  }
  return sizes;
}

/** `{ firmware: 'uefi' }` when only UEFI boots the disk (SeaBIOS would find nothing to start). */
async function uefiOnly(disk: string, qemuFormat: string, scratchDir: string): Promise<{ firmware?: 'uefi' }> {
  return onlyUefiBoots(await readDiskHead({ path: disk, format: qemuFormat }, scratchDir)) ? { firmware: 'uefi' } : {};
}
