/** @module qcow2 for KVM, libvirt, OpenStack and Proxmox: compat 1.1 (lazy refcounts, zero clusters). */
import type { FormatJob, WrittenFormat } from './job.ts';
import { checkDisk, checkLine, convertDisk } from './qemu-img.ts';

export async function writeQcow2(job: FormatJob): Promise<WrittenFormat> {
  const [disk] = job.disks;
  if (!disk) throw new Error('writeQcow2: no disk');
  await convertDisk(disk, 'qcow2', ['-o', 'compat=1.1'], job.out, job.run);
  job.onWritten?.(job.out);
  return { path: job.out, checks: checkLine('qcow2', await checkDisk(job.out, 'qcow2', disk.sizeBytes, job.run)) };
}
