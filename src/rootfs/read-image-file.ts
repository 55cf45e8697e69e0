/**
 * @module Host-side reads of files inside an image's root file system that an image cannot turn
 * against the host: paths resolve inside the root, only regular files are opened (no FIFO, device
 * or final link: O_NOFOLLOW, O_NONBLOCK, fstat), sizes are capped, and the read stops on abort.
 */
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { posix } from 'node:path';
import { resolveInInstance } from './resolve-path.ts';

export interface ImageReadOptions {
  /** Larger files are refused (`ImageFileError` with reason `too-large`). */
  maxBytes: number;
  signal?: AbortSignal;
  /** Streams the bytes here instead of keeping them (the result is then an empty buffer). */
  onChunk?: (chunk: Buffer) => void;
  /** Resolved parent directories, shared between many reads in the same directories (faster). */
  dirCache?: Map<string, Promise<{ hostPath: string; exists: boolean }>>;
}

export type ImageReadRefusal = 'not-regular' | 'too-large' | 'link-loop';

/** A file the image has but the host will not read, with why. */
export class ImageFileError extends Error {
  readonly reason: ImageReadRefusal;
  readonly instancePath: string;
  /** What is wrong, without the path (`is a directory`). */
  readonly detail: string;
  constructor(instancePath: string, reason: ImageReadRefusal, detail: string) {
    super(`${instancePath}: ${detail}`);
    this.name = 'ImageFileError';
    this.reason = reason;
    this.instancePath = instancePath;
    this.detail = detail;
  }
}

/** Host path of `instancePath`: the parent resolved inside the root (cached), a final link resolved too. */
async function hostPathIn(
  rootfsDir: string,
  instancePath: string,
  cache: ImageReadOptions['dirCache'],
): Promise<{ hostPath: string; exists: boolean }> {
  const mapping = [{ instancePath: '/', hostPath: rootfsDir }];
  const full = () =>
    resolveInInstance(mapping, instancePath).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ELOOP') throw new ImageFileError(instancePath, 'link-loop', 'too many symbolic links');
      throw err;
    });
  const dir = posix.dirname(posix.normalize(instancePath));
  const base = posix.basename(instancePath);
  if (!cache || !base || base === '..' || base === '.') return full();
  let parent = cache.get(dir);
  if (!parent) {
    parent = resolveInInstance(mapping, dir);
    cache.set(dir, parent);
  }
  const p = await parent.catch(() => undefined);
  if (!p?.exists) return full();
  const hostPath = posix.join(p.hostPath, base);
  const st = await lstat(hostPath).catch(() => undefined);
  if (!st) return { hostPath, exists: false };
  return st.isSymbolicLink() ? full() : { hostPath, exists: true };
}

const CHUNK = 1024 * 1024;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * The bytes of `instancePath` (absolute, as the image sees it) under `rootfsDir`; undefined when the
 * image has no such file. Links are followed the way the image would (never out of the root).
 */
export async function readImageFile(
  rootfsDir: string,
  instancePath: string,
  opts: ImageReadOptions,
): Promise<Buffer | undefined> {
  opts.signal?.throwIfAborted();
  const resolved = await hostPathIn(rootfsDir, instancePath, opts.dirCache);
  if (!resolved.exists) return undefined;
  return readRegularFile(resolved.hostPath, instancePath, opts);
}

/**
 * The bytes of `hostPath` (whose parent directories were resolved inside an image; `instancePath` names it in
 * errors), or undefined when it is gone: no final link, FIFO or device is opened, the size is capped.
 */
export async function readRegularFile(
  hostPath: string,
  instancePath: string,
  opts: ImageReadOptions,
): Promise<Buffer | undefined> {
  opts.signal?.throwIfAborted();
  const fh = await open(hostPath, OPEN_FLAGS).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    if (err.code === 'ELOOP') throw new ImageFileError(instancePath, 'not-regular', 'is a symbolic link');
    if (err.code === 'ENXIO') throw new ImageFileError(instancePath, 'not-regular', 'is not a regular file');
    throw err;
  });
  if (!fh) return undefined;
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new ImageFileError(instancePath, 'not-regular', 'is a directory');
    if (!st.isFile()) throw new ImageFileError(instancePath, 'not-regular', 'is not a regular file');
    if (st.size > opts.maxBytes)
      throw new ImageFileError(instancePath, 'too-large', `is ${st.size} bytes (at most ${opts.maxBytes} are read)`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      // Sized from fstat (plus one byte to see growth), never more than a chunk or the cap allows.
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, opts.maxBytes + 1 - total, Math.max(st.size - total + 1, 4096)));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (opts.onChunk) opts.onChunk(buf.subarray(0, bytesRead));
      else chunks.push(buf.subarray(0, bytesRead));
      if (total > opts.maxBytes)
        throw new ImageFileError(instancePath, 'too-large', `grew past ${opts.maxBytes} bytes while being read`);
    }
    return Buffer.concat(chunks);
  } finally {
    await fh.close();
  }
}

/** `readImageFile` as UTF-8 text. */
export async function readImageText(
  rootfsDir: string,
  instancePath: string,
  opts: ImageReadOptions,
): Promise<string | undefined> {
  return (await readImageFile(rootfsDir, instancePath, opts))?.toString('utf8');
}
