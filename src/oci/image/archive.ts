/** @module oci-archive files: a plain tar of an OCI image layout (what skopeo's `oci-archive:` transport reads). */
import { execFile } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Tars `layoutDir` into `outFile` reproducibly (sorted, numeric root owner, mtime 0). */
export async function writeOciArchive(layoutDir: string, outFile: string): Promise<void> {
  const tmp = `${outFile}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await run('tar', ['--create', `--file=${tmp}`, '--format=pax', '--sort=name', '--numeric-owner', '--owner=0', '--group=0',
      '--mtime=@0', '--pax-option=delete=atime,delete=ctime', '--exclude=*.tmp-*', '-C', layoutDir, '.']);
    await rename(tmp, outFile);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Unpacks an oci-archive into `layoutDir` (created by tar if missing). */
export async function extractOciArchive(archive: string, layoutDir: string): Promise<void> {
  await run('tar', ['--extract', `--file=${archive}`, '--no-same-owner', '--no-same-permissions', '-C', layoutDir]);
}
