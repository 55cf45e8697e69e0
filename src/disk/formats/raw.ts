/** @module Raw disks: the file the root file system was written to, or a sparse copy of it. */
import type { FormatJob, WrittenFormat } from './job.ts';
import { checkDisk, checkLine, convertDisk } from './qemu-img.ts';

export async function writeRaw(job: FormatJob): Promise<WrittenFormat> {
  const [disk] = job.disks;
  if (!disk) throw new Error('writeRaw: no disk');
  if (disk.path !== job.out) await convertDisk(disk, 'raw', [], job.out, job.run);
  job.onWritten?.(job.out);
  return { path: job.out, checks: checkLine('raw', await checkDisk(job.out, 'raw', disk.sizeBytes, job.run)) };
}
