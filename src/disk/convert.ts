/**
 * @module Converts the raw boot disk to the other formats (in parallel), then checks every output
 * with `qemu-img check` (formats that support it) and `qemu-img info` (readable, right size).
 * VMDK is streamOptimized (VMware/ESXi import, OVA); VHD is dynamic with force_size (exact size).
 */
import { runCommand } from '../process/index.ts';
import type { DiskFormat } from './layout.ts';

interface FormatSpec {
  /** qemu-img's name of the format. */
  qemu: string;
  options: string[];
}

export const FORMAT_SPECS: Record<DiskFormat, FormatSpec> = {
  raw: { qemu: 'raw', options: [] },
  qcow2: { qemu: 'qcow2', options: ['-o', 'compat=1.1'] },
  vmdk: { qemu: 'vmdk', options: ['-o', 'subformat=streamOptimized'] },
  vhdx: { qemu: 'vhdx', options: ['-o', 'subformat=dynamic'] },
  vhd: { qemu: 'vpc', options: ['-o', 'subformat=dynamic,force_size=on'] },
};

/** qemu-img check's exit code for "this format does not support checks". */
const CHECK_UNSUPPORTED = 63;

export interface CheckedDisk {
  format: DiskFormat;
  path: string;
  virtualSize: number;
  /** False when the format has no consistency check (raw, vhd). */
  checked: boolean;
}

export async function convertRaw(raw: string, format: DiskFormat, out: string): Promise<void> {
  const spec = FORMAT_SPECS[format];
  await runCommand(['qemu-img', 'convert', '-f', 'raw', '-O', spec.qemu, ...spec.options, raw, out]);
}

export async function checkDisk(path: string, format: DiskFormat, expectedSize: number): Promise<CheckedDisk> {
  const qemu = FORMAT_SPECS[format].qemu;
  const check = await runCommand(['qemu-img', 'check', '-f', qemu, path], { okCodes: [CHECK_UNSUPPORTED] });
  const info = JSON.parse((await runCommand(['qemu-img', 'info', '--output=json', '-f', qemu, path])).stdout) as {
    'virtual-size': number;
    format: string;
  };
  if (info.format !== qemu) throw new Error(`qemu-img info reads ${path} as ${info.format}, not ${qemu}`);
  if (info['virtual-size'] !== expectedSize)
    throw new Error(`${path} has a virtual size of ${info['virtual-size']} bytes, expected ${expectedSize}`);
  return { format, path, virtualSize: info['virtual-size'], checked: check.exitCode !== CHECK_UNSUPPORTED };
}

/** Writes `raw` as every format in `targets` (path per format), in parallel, and checks each. */
export async function convertAll(
  raw: string,
  targets: ReadonlyMap<DiskFormat, string>,
  size: number,
): Promise<CheckedDisk[]> {
  return Promise.all(
    [...targets].map(async ([format, out]) => {
      if (out !== raw) await convertRaw(raw, format, out);
      return checkDisk(out, format, size);
    }),
  );
}
