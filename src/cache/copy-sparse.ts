/**
 * @module Copies of large, mostly sparse files (disk images): a reflink where the file system has
 * them (nothing copied), else a copy that keeps the holes (`cp --sparse=always`). Node's copyFile
 * (copy_file_range) writes a raw disk's holes out as zeros: a 3 GiB raw disk holding 1 GiB of data
 * became a dense 3 GiB file.
 */
import { copyFile, constants } from 'node:fs/promises';
import { type Confinement, runCommand } from '../process/index.ts';

/** Errors of FICLONE when the file system cannot share extents (ext4) or the files are on two. */
const NO_REFLINK = new Set(['EOPNOTSUPP', 'ENOTSUP', 'EXDEV', 'EINVAL', 'ENOSYS', 'ENOTTY', 'EBADF']);

/** A reflink of `from` at `to` (an independent file sharing the data), or false when the file system has none. */
export async function tryReflink(from: string, to: string): Promise<boolean> {
  return copyFile(from, to, constants.COPYFILE_FICLONE_FORCE).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (NO_REFLINK.has(err.code ?? '')) return false;
      throw err;
    },
  );
}

/** Copies `from` to `to` (replaced if there), sharing extents when it can and keeping holes otherwise. */
export async function copySparse(from: string, to: string, run: Confinement = {}): Promise<void> {
  await runCommand(['cp', '--reflink=auto', '--sparse=always', from, to], run);
}
