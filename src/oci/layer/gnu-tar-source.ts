/**
 * @module Reads a directory tree as tar entries by streaming GNU tar (the only way to get xattrs, device numbers and
 * hard-link detection without native addons), sorted by name with numeric owners.
 */
import { startCommand } from '../../process/index.ts';
import { readTar, type TarEntry } from '../tar/tar-reader.ts';

export const GNU_TAR_CREATE_ARGS = [
  '--create',
  '--file=-',
  '--format=pax',
  '--sort=name',
  '--numeric-owner',
  '--one-file-system',
  '--xattrs',
  '--xattrs-include=*',
  '--pax-option=delete=atime,delete=ctime',
];

/**
 * Entries of `dir` (paths relative to it, root entry excluded). Throws from the iterator if tar fails
 * (tar's exit status 1, "file changed as we read it", is a failure too: layers must be taken from a quiet tree).
 */
export async function* readDirectoryAsTar(dir: string): AsyncGenerator<TarEntry> {
  const tar = startCommand(['tar', ...GNU_TAR_CREATE_ARGS, '-C', dir, '.'], {
    stdout: 'stream',
    label: `tar of ${dir}`,
  });
  try {
    for await (const entry of readTar(tar.stdout!)) {
      if (entry.header.path === '') continue;
      yield entry;
    }
    await tar.done;
  } finally {
    tar.kill(); // a consumer that stopped early leaves tar running
  }
}
