/** @module Content-addressed blob store (`<root>/blobs/sha256/<hex>`): verified writes via temp file + rename. */
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestHex, HashTap, type Digest } from '../oci/digest.ts';
import { copySparse, tryReflink } from './copy-sparse.ts';

export interface StoredBlob {
  digest: Digest;
  size: number;
  path: string;
}

export interface BlobStore {
  readonly root: string;
  path(digest: string): string;
  has(digest: string): Promise<boolean>;
  /**
   * Adds a file. With `move` it is renamed in (same file system) when `expectedDigest` is given and trusted, else it is
   * copied while hashing and checked against `expectedDigest`. Concurrent puts of the same blob are harmless.
   */
  putFile(file: string, opts?: { expectedDigest?: Digest; move?: boolean }): Promise<StoredBlob>;
  putBytes(data: Buffer | string): Promise<StoredBlob>;
  /**
   * Adds a file whose digest is already known by hard-linking it (instant; the file stays where it
   * is and shares its data with the blob). Falls back to a verified copy across file systems.
   */
  linkFile(file: string, digest: Digest): Promise<StoredBlob>;
  /**
   * Adds a copy of a file whose digest was computed as this process wrote it: copied in the kernel
   * (copy_file_range), not read and hashed again.
   */
  copyKnown(file: string, digest: Digest): Promise<StoredBlob>;
  /**
   * Adds a large file (a disk image) whose digest was computed as this process wrote it, without
   * copying its data: a reflink where the file system has them (the blob is independent of the
   * file), else a hard link (the blob IS the file: a later write through it moves the blob's stat
   * fingerprint, so whoever trusts the blob checks it first), else (another file system) a copy
   * keeping its holes.
   */
  shareKnown(file: string, digest: Digest): Promise<StoredBlob & { how: 'reflink' | 'link' | 'copy' }>;
  delete(digest: string): Promise<void>;
  /**
   * Takes a blob out of the store at once (a rename into `<root>/trash/`), to be deleted later by
   * `emptyTrash`: deleting a large file waits for the file system to free (and discard) its blocks.
   */
  discard(digest: string): Promise<void>;
  /** Deletes what `discard` put aside (run in the background, e.g. while a build runs). */
  emptyTrash(): Promise<void>;
}

function tempName(dir: string): string {
  return join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

export async function openBlobStore(root: string): Promise<BlobStore> {
  const dir = join(root, 'blobs', 'sha256');
  await mkdir(dir, { recursive: true });
  const path = (digest: string): string => join(dir, digestHex(digest));
  const trash = join(root, 'trash');
  const has = (digest: string): Promise<boolean> =>
    stat(path(digest)).then(
      () => true,
      () => false,
    );

  async function putStream(source: NodeJS.ReadableStream, expected?: Digest): Promise<StoredBlob> {
    const tmp = tempName(dir);
    const tap = new HashTap();
    try {
      await pipeline(source, tap, createWriteStream(tmp));
      const digest = tap.digest();
      if (expected && digest !== expected) throw new Error(`blob digest mismatch: expected ${expected}, got ${digest}`);
      await rename(tmp, path(digest));
      return { digest, size: tap.bytes, path: path(digest) };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  return {
    root,
    path,
    has,
    async putFile(file, opts = {}) {
      if (opts.move && opts.expectedDigest) {
        const dest = path(opts.expectedDigest);
        const moved = await rename(file, dest).then(
          () => true,
          (err: NodeJS.ErrnoException) => {
            if (err.code === 'EXDEV') return false;
            throw err;
          },
        );
        if (moved) return { digest: opts.expectedDigest, size: (await stat(dest)).size, path: dest };
      }
      const stored = await putStream(createReadStream(file), opts.expectedDigest);
      if (opts.move) await rm(file, { force: true });
      return stored;
    },
    async putBytes(data) {
      return putStream(Readable.from([Buffer.from(data)]));
    },
    async linkFile(file, digest) {
      const dest = path(digest);
      const linked = await link(file, dest).then(
        () => true,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'EEXIST') return true;
          if (err.code === 'EXDEV') return false;
          throw err;
        },
      );
      if (linked) return { digest, size: (await stat(dest)).size, path: dest };
      return putStream(createReadStream(file), digest);
    },
    async copyKnown(file, digest) {
      const tmp = tempName(dir);
      try {
        await copyFile(file, tmp);
        await rename(tmp, path(digest));
      } finally {
        await rm(tmp, { force: true });
      }
      return { digest, size: (await stat(path(digest))).size, path: path(digest) };
    },
    async shareKnown(file, digest) {
      const dest = path(digest);
      const tmp = tempName(dir);
      try {
        let how: 'reflink' | 'link' | 'copy' = 'reflink';
        if (!(await tryReflink(file, tmp))) {
          how = await link(file, tmp).then(
            () => 'link' as const,
            (err: NodeJS.ErrnoException) => {
              if (err.code === 'EXDEV') return 'copy' as const;
              throw err;
            },
          );
          if (how === 'copy') await copySparse(file, tmp);
        }
        // Over a blob already there (same digest): the same bytes, now from this build.
        await rename(tmp, dest);
        return { digest, size: (await stat(dest)).size, path: dest, how };
      } finally {
        await rm(tmp, { force: true });
      }
    },
    async delete(digest) {
      await rm(path(digest), { force: true });
    },
    async discard(digest) {
      await mkdir(trash, { recursive: true });
      await rename(
        path(digest),
        join(trash, `${digestHex(digest)}-${process.pid}-${Math.random().toString(36).slice(2)}`),
      ).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    },
    async emptyTrash() {
      for (const name of await readdir(trash).catch(() => [] as string[])) await rm(join(trash, name), { force: true });
    },
  };
}
