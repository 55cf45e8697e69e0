/**
 * @module VMDK for VMware: streamOptimized (compressed grains), the subformat ESXi and vCenter
 * import and the one an OVA carries.
 */
import type { FormatJob, WrittenFormat } from './job.ts';
import { checkDisk, checkLine, convertDisk } from './qemu-img.ts';

export const STREAM_OPTIMIZED = ['-o', 'subformat=streamOptimized'];

export async function writeVmdk(job: FormatJob): Promise<WrittenFormat> {
  const [disk] = job.disks;
  if (!disk) throw new Error('writeVmdk: no disk');
  await convertDisk(disk, 'vmdk', STREAM_OPTIMIZED, job.out, job.run);
  job.onWritten?.(job.out);
  return { path: job.out, checks: checkLine('vmdk', await checkDisk(job.out, 'vmdk', disk.sizeBytes, job.run)) };
}
