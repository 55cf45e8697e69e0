/**
 * @module VHDX for Hyper-V: dynamic. Hyper-V boots a VHDX only in a Generation 2 VM, which boots
 * by UEFI: the log line says so, and warns when the disk has no EFI system partition.
 */
import type { FormatJob, WrittenFormat } from './job.ts';
import { checkDisk, checkLine, convertDisk } from './qemu-img.ts';

export async function writeVhdx(job: FormatJob): Promise<WrittenFormat> {
  const [disk] = job.disks;
  if (!disk) throw new Error('writeVhdx: no disk');
  await convertDisk(disk, 'vhdx', ['-o', 'subformat=dynamic'], job.out, job.run);
  job.onWritten?.(job.out);
  const info = await checkDisk(job.out, 'vhdx', disk.sizeBytes, job.run);
  if (!disk.boot) return { path: job.out, checks: checkLine('vhdx', info) };
  const boot =
    job.machine.firmware === 'efi'
      ? 'for a Hyper-V Generation 2 VM (UEFI)'
      : 'WARNING: the disk has no EFI system partition, so a Hyper-V Generation 2 VM (UEFI) cannot boot it';
  return { path: job.out, checks: `${checkLine('vhdx', info)}; ${boot}` };
}
