/**
 * @module Fixed VHD for Azure (and Hyper-V Generation 1): Azure takes only fixed VHDs whose
 * virtual size is a whole number of MiB, so the disk is rounded up to 1 MiB (through a qcow2
 * overlay that reads as zeros past the raw file, no copy) and written with `force_size=on`, which
 * keeps that exact size instead of qemu's CHS rounding. The 512-byte footer is checked too.
 */
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { runCommand } from '../../process/index.ts';
import type { FormatJob, WrittenFormat } from './job.ts';
import { checkDisk, checkLine } from './qemu-img.ts';

export const MIB = 2 ** 20;
export const alignedSize = (bytes: number): number => Math.ceil(bytes / MIB) * MIB;

export async function writeVhd(job: FormatJob): Promise<WrittenFormat> {
  const [disk] = job.disks;
  if (!disk) throw new Error('writeVhd: no disk');
  const size = alignedSize(disk.sizeBytes);
  let source = disk.path;
  let sourceFormat: string = disk.format ?? 'raw';
  const overlay = join(job.workDir, `${disk.name}-aligned.qcow2`);
  if (size !== disk.sizeBytes) {
    await runCommand(
      ['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', resolve(disk.path), '-F', sourceFormat, overlay, String(size)],
      job.run,
    );
    source = overlay;
    sourceFormat = 'qcow2';
  }
  try {
    await runCommand(
      ['qemu-img', 'convert', '-f', sourceFormat, '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', source, job.out],
      job.run,
    );
  } finally {
    await rm(overlay, { force: true });
  }
  const info = await checkDisk(job.out, 'vpc', size, job.run);
  await checkFixedFooter(job.out, size);
  const padded = size === disk.sizeBytes ? '' : ` (rounded up from ${disk.sizeBytes})`;
  return { path: job.out, checks: `${checkLine('vpc', info)}${padded}; fixed, 1 MiB aligned, for Azure` };
}

/** A fixed VHD is the disk followed by a 512-byte footer: "conectix", disk type 2, current size. */
export async function checkFixedFooter(path: string, size: number): Promise<void> {
  const { size: fileSize } = await stat(path);
  if (fileSize !== size + 512) throw new Error(`${path} is ${fileSize} bytes, expected ${size} + a 512-byte footer`);
  const fh = await open(path, 'r');
  try {
    const footer = Buffer.alloc(512);
    await fh.read(footer, 0, 512, size);
    if (footer.toString('latin1', 0, 8) !== 'conectix') throw new Error(`${path} has no VHD footer`);
    if (footer.readUInt32BE(60) !== 2)
      throw new Error(`${path} is not a fixed VHD (disk type ${footer.readUInt32BE(60)})`);
    if (Number(footer.readBigUInt64BE(48)) !== size) throw new Error(`${path}'s footer gives another size`);
  } finally {
    await fh.close();
  }
}
