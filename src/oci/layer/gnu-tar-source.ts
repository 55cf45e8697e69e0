/**
 * @module Reads a directory tree as tar entries by streaming GNU tar (the only way to get xattrs, device numbers and
 * hard-link detection without native addons), sorted by name with numeric owners.
 */
import { spawn } from 'node:child_process';
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
  const child = spawn('tar', [...GNU_TAR_CREATE_ARGS, '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  exited.catch(() => {
    /* surfaced below */
  });
  let finished = false;
  try {
    for await (const entry of readTar(child.stdout)) {
      if (entry.header.path === '') continue;
      yield entry;
    }
    const code = await exited;
    if (code !== 0) throw new Error(`tar of ${dir} failed (exit ${code}): ${stderr.trim()}`);
    finished = true;
  } finally {
    if (!finished && child.exitCode === null) child.kill('SIGTERM');
  }
}
