/**
 * @module oci-archive files: a plain tar of an OCI image layout (what skopeo's `oci-archive:`
 * transport reads), written in this process straight from the layout's files: the bytes GNU tar
 * writes for `tar --create --format=pax --numeric-owner --owner=0 --group=0 --mtime=@0
 * --no-recursion` of the same names (a test compares them), without a tar process and a pipe.
 */
import { createHash, type Hash } from 'node:crypto';
import { lstat, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runCommand } from '../../process/index.ts';
import { BLOCK, encodeUstar } from '../tar/tar-header.ts';

/** GNU tar's record: 20 blocks; the archive is padded with zeros to a whole record. */
const RECORD = 20 * BLOCK;
/** Bytes read and written at a time when a blob is copied into the archive. */
const CHUNK = 4 << 20;
/** Written bytes are flushed to disk (in the background, while the copy goes on) every this many. */
const FLUSH_EVERY = 32 << 20;

/** Every entry under `layoutDir` as tar names it (`./`, `./blobs/`, ...), directories first, sorted. */
async function entriesOf(layoutDir: string): Promise<string[]> {
  const found = await readdir(layoutDir, { recursive: true, withFileTypes: true });
  const names = found
    .filter((e) => !e.name.includes('.tmp-'))
    .map((e) => `./${relative(layoutDir, join(e.parentPath, e.name))}${e.isDirectory() ? '/' : ''}`);
  return ['./', ...names.sort()];
}

/** Appends tar entries to an open file, hashing every byte written. */
class TarAppender {
  size = 0;
  /** Set by cancel: the copy stops at the next chunk. */
  stopped = false;
  readonly hash: Hash = createHash('sha256');
  readonly #fd: FileHandle;
  readonly #buf = Buffer.allocUnsafe(CHUNK);
  /** The background flush in flight, and the size written when the last one started. */
  #flushing: Promise<void> | undefined;
  #flushedAt = 0;
  constructor(fd: FileHandle) {
    this.#fd = fd;
  }

  async #write(bytes: Buffer): Promise<void> {
    this.hash.update(bytes);
    for (let off = 0; off < bytes.length; ) off += (await this.#fd.write(bytes, off, bytes.length - off)).bytesWritten;
    this.size += bytes.length;
    // Written back while the copy goes on, so the final flush (durable outputs) has little left.
    if (!this.#flushing && this.size - this.#flushedAt >= FLUSH_EVERY) {
      this.#flushedAt = this.size;
      this.#flushing = this.#fd.datasync().finally(() => {
        this.#flushing = undefined;
      });
      this.#flushing.catch(() => {}); // a failure surfaces in flush()
    }
  }

  /** Waits for the background flush and flushes what was written since. */
  async flush(): Promise<void> {
    await this.#flushing;
    await this.#fd.datasync();
    this.#flushedAt = this.size;
  }

  /** One entry of the layout: a directory, or a regular file's header then its bytes and padding. */
  async add(layoutDir: string, name: string): Promise<void> {
    if (Buffer.byteLength(name) > 100) throw new Error(`oci archive: entry name too long for ustar: ${name}`);
    const path = join(layoutDir, name);
    const st = await lstat(path);
    const isDir = st.isDirectory();
    if (!isDir && !st.isFile()) throw new Error(`oci archive: ${path} is neither a file nor a directory`);
    const header = { name, mode: st.mode, uid: 0, gid: 0, mtime: 0, linkname: '', devmajor: 0, devminor: 0 };
    await this.#write(encodeUstar({ ...header, typeflag: isDir ? '5' : '0', size: isDir ? 0 : st.size }));
    if (isDir) return;
    const from = await open(path, 'r');
    try {
      let copied = 0;
      for (;;) {
        if (this.stopped) throw new Error('oci archive: cancelled');
        const { bytesRead } = await from.read(this.#buf, 0, CHUNK, null);
        if (bytesRead === 0) break;
        copied += bytesRead;
        if (copied > st.size) throw new Error(`oci archive: ${path} grew while it was archived`);
        await this.#write(this.#buf.subarray(0, bytesRead));
      }
      if (copied !== st.size) throw new Error(`oci archive: ${path} shrank while it was archived`);
    } finally {
      await from.close();
    }
    const pad = (BLOCK - (st.size % BLOCK)) % BLOCK;
    if (pad) await this.#write(Buffer.alloc(pad));
  }

  /** The end-of-archive blocks and the padding to a whole record. */
  async end(): Promise<void> {
    const zeros = 2 * BLOCK;
    await this.#write(Buffer.alloc(zeros + ((RECORD - ((this.size + zeros) % RECORD)) % RECORD)));
  }
}

export interface OciArchiveWriter {
  /**
   * Appends, in the background, the entries the layout has gained (sorted), except index.json:
   * an archive started before the layout was complete (with the base layer's blob) goes on with
   * the rest of the image while the build does. Resolves once the entries are listed (what is
   * added to the layout after that goes in at `finish`).
   */
  addPresent(): Promise<void>;
  /** Adds what the layout gained since (SBOM referrers, signatures, index.json) and renames the archive into place. */
  finish(): Promise<{ sha256: string; size: number }>;
  /** Stops and removes the partial archive. */
  cancel(): Promise<void>;
}

/**
 * Starts writing `layoutDir` into `outFile` reproducibly (numeric root owner, mtime 0), hashing
 * the archive as it is written: the entries present now (the image's blobs: nearly all the bytes)
 * are written at once, while the build goes on, then `oci-layout`, and flushed to disk (and so is
 * each part `addPresent` adds); `finish` appends the entries added since, sorted, and index.json,
 * which may have changed.
 */
export async function startOciArchive(layoutDir: string, outFile: string): Promise<OciArchiveWriter> {
  const tmp = `${outFile}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fd = await open(tmp, 'w');
  const tar = new TarAppender(fd);
  const listed = await entriesOf(layoutDir);
  const first = [
    ...listed.filter((n) => n !== './index.json' && n !== './oci-layout'),
    ...listed.filter((n) => n === './oci-layout'),
  ];
  const written = new Set(first);
  /** The parts written so far, one after the other; each ends with its bytes flushed to disk. */
  let parts = (async () => {
    for (const name of first) await tar.add(layoutDir, name);
    // On disk while the build goes on: making the outputs durable at the end then waits for the tail only.
    await tar.flush();
  })();
  parts.catch(() => {});
  const fail = async (err?: unknown) => {
    tar.stopped = true;
    await parts.catch(() => {});
    await fd.close().catch(() => {});
    await rm(tmp, { force: true });
    if (err !== undefined) throw err;
  };
  return {
    async addPresent() {
      const now = (await entriesOf(layoutDir)).filter((n) => !written.has(n) && n !== './index.json');
      for (const name of now) written.add(name);
      parts = parts.then(async () => {
        for (const name of now) await tar.add(layoutDir, name);
        await tar.flush();
      });
      parts.catch(() => {});
    },
    async finish() {
      try {
        await parts;
        // Sorted: new blobs, then index.json (`./blobs/` sorts before `./index.json`).
        const rest = (await entriesOf(layoutDir)).filter((n) => !written.has(n));
        for (const name of rest) await tar.add(layoutDir, name);
        await tar.end();
        await fd.close();
        await rename(tmp, outFile);
        return { sha256: tar.hash.digest('hex'), size: tar.size };
      } catch (err) {
        return fail(err) as never;
      }
    },
    cancel: () => fail(),
  };
}

/** Writes `layoutDir` into `outFile` in one go (see startOciArchive); returns its sha256 (hex) and size. */
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
