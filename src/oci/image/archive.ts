/** @module oci-archive files: a plain tar of an OCI image layout (what skopeo's `oci-archive:` transport reads). */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runCommand, startCommand } from '../../process/index.ts';

const TAR_ARGS = [
  '--create',
  '--file=-',
  '--format=pax',
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

/** One tar stream of `names` (relative to `layoutDir`, in this order, no recursion). */
function tarOf(layoutDir: string, names: readonly string[]) {
  const tar = startCommand(['tar', ...TAR_ARGS, '--no-recursion', '-C', layoutDir, '--null', '--files-from=-'], {
    stdin: 'pipe',
    stdout: 'stream',
    label: `tar of ${layoutDir}`,
    okCodes: [1], // only ever "file changed as we read it" with --create (see above)
  });
  tar.stdin!.end(names.map((n) => `${n}\0`).join(''));
  return tar;
}

/** Every entry under `layoutDir` as tar names it (`./`, `./blobs/`, ...), directories first, sorted. */
async function entriesOf(layoutDir: string): Promise<string[]> {
  const found = await readdir(layoutDir, { recursive: true, withFileTypes: true });
  const names = found
    .filter((e) => !e.name.includes('.tmp-'))
    .map((e) => `./${relative(layoutDir, join(e.parentPath, e.name))}${e.isDirectory() ? '/' : ''}`);
  return ['./', ...names.sort()];
}

export interface OciArchiveWriter {
  /** Adds what the layout gained since the start (SBOM referrers, signatures, index.json) and renames the archive into place. */
  finish(): Promise<{ sha256: string; size: number }>;
  /** Stops and removes the partial archive. */
  cancel(): Promise<void>;
}

/**
 * Starts tarring `layoutDir` into `outFile` reproducibly (numeric root owner, mtime 0), hashing
 * the archive as it is written: the entries present now (the image's blobs: nearly all the bytes)
 * are written at once, while the build goes on; `finish` appends the entries added since, sorted,
 * and index.json, which may have changed. Two tar streams make one archive: the first one's
 * end-of-archive zero blocks and record padding are held back and dropped.
 */
export async function startOciArchive(layoutDir: string, outFile: string): Promise<OciArchiveWriter> {
  const tmp = `${outFile}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const hash = createHash('sha256');
  let size = 0;
  const out = createWriteStream(tmp);
  // oci-layout last: its data (JSON) ends the first stream, so the zero blocks after it are the end.
  const listed = await entriesOf(layoutDir);
  const first = [
    ...listed.filter((n) => n !== './index.json' && n !== './oci-layout'),
    ...listed.filter((n) => n === './oci-layout'),
  ];
  let current = tarOf(layoutDir, first);
  const write = async (tar: ReturnType<typeof tarOf>, dropEnd: boolean) => {
    let held = Buffer.alloc(0);
    const pass = (bytes: Buffer) => {
      hash.update(bytes);
      size += bytes.length;
    };
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (!dropEnd) {
          pass(chunk);
          return done(null, chunk);
        }
        // The last HELD_BYTES are held back: the end-of-archive blocks and the record's padding.
        const all = Buffer.concat([held, chunk]);
        const out = all.subarray(0, Math.max(0, all.length - HELD_BYTES));
        held = Buffer.from(all.subarray(out.length));
        pass(out);
        done(null, out);
      },
      flush(done) {
        if (!dropEnd) return done();
        // Every trailing all-zero block is end-of-archive or padding (a header or JSON data is never all zeros).
        let end = held.length;
        while (end >= BLOCK && held.subarray(end - BLOCK, end).every((b) => b === 0)) end -= BLOCK;
        if (held.length - end < 2 * BLOCK) return done(new Error(`tar of ${layoutDir}: no end-of-archive blocks`));
        pass(held.subarray(0, end));
        done(null, held.subarray(0, end));
      },
    });
    await pipeline(tar.stdout!, tap, out, { end: !dropEnd });
    await tar.done;
  };
  const firstPart = write(current, true);
  firstPart.catch(() => {});
  const fail = async (err?: unknown) => {
    current.kill();
    out.destroy();
    await rm(tmp, { force: true });
    if (err !== undefined) throw err;
  };
  return {
    async finish() {
      try {
        await firstPart;
        const had = new Set(first);
        const rest = (await entriesOf(layoutDir)).filter((n) => !had.has(n));
        current = tarOf(layoutDir, rest);
        await write(current, false);
        await rename(tmp, outFile);
        return { sha256: hash.digest('hex'), size };
      } catch (err) {
        return fail(err) as never;
      }
    },
    cancel: () => fail(),
  };
}

const BLOCK = 512;
/** More than the end-of-archive blocks (2) plus the padding of GNU tar's 10 KiB records. */
const HELD_BYTES = 24 * BLOCK;

/** Tars `layoutDir` into `outFile` reproducibly in one go (see startOciArchive); returns its sha256 (hex) and size. */
export async function writeOciArchive(layoutDir: string, outFile: string): Promise<{ sha256: string; size: number }> {
  return (await startOciArchive(layoutDir, outFile)).finish();
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
