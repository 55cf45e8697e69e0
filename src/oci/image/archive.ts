/** @module oci-archive files: a plain tar of an OCI image layout (what skopeo's `oci-archive:` transport reads). */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runCommand, startCommand } from '../../process/index.ts';

const TAR_ARGS = [
  '--create',
  '--file=-',
  '--format=pax',
  '--sort=name',
  '--numeric-owner',
  '--owner=0',
  '--group=0',
  '--mtime=@0',
  '--pax-option=delete=atime,delete=ctime',
  '--exclude=*.tmp-*',
  // Blobs are immutable, but a blob shared by hard link (a base layer, a cached layer) gets a new
  // ctime whenever another build links or unlinks it; GNU tar then warns "file changed as we
  // read it" and exits 1 although the bytes it read are the blob's.
  '--warning=no-file-changed',
];

/**
 * Tars `layoutDir` into `outFile` reproducibly (sorted, numeric root owner, mtime 0), hashing the
 * archive as it is written, so callers need not read it again. Returns its sha256 (hex) and size.
 */
export async function writeOciArchive(layoutDir: string, outFile: string): Promise<{ sha256: string; size: number }> {
  const tmp = `${outFile}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const hash = createHash('sha256');
  let size = 0;
  const tar = startCommand(['tar', ...TAR_ARGS, '-C', layoutDir, '.'], {
    stdout: 'stream',
    label: `tar of ${layoutDir}`,
    okCodes: [1], // only ever "file changed as we read it" with --create (see above)
  });
  try {
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(tar.stdout!, tap, createWriteStream(tmp));
    await tar.done;
    await rename(tmp, outFile);
    return { sha256: hash.digest('hex'), size };
  } catch (err) {
    tar.kill();
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Unpacks an oci-archive into `layoutDir` (created by tar if missing). */
export async function extractOciArchive(archive: string, layoutDir: string): Promise<void> {
  await runCommand([
    'tar',
    '--extract',
    `--file=${archive}`,
    '--no-same-owner',
    '--no-same-permissions',
    '-C',
    layoutDir,
  ]);
}
