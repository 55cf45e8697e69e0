/** @module Creating one extracted entry (replacing what is in the way) and giving it the archive's metadata. */
import { createWriteStream } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { TarHeader } from '../tar/tar-header.ts';
import { makeDevice, makeFifo } from './node-ops.ts';
import { entryComponents, resolveInRoot } from './safe-path.ts';

const isExists = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'EEXIST';

/**
 * Runs `create`; if the path is taken, removes what is there (unless it is a directory and a directory is wanted)
 * and tries once more. Returns true when something was replaced.
 */
export async function createReplacing(
  path: string,
  wantDirectory: boolean,
  create: () => Promise<void>,
): Promise<boolean> {
  try {
    await create();
    return false;
  } catch (err) {
    if (!isExists(err)) throw err;
  }
  if (wantDirectory && (await lstat(path)).isDirectory()) return false;
  await rm(path, { recursive: true, force: true });
  await create();
  return true;
}

/** Removes whatever is at `path`; true if something was there. */
async function clearPath(path: string): Promise<boolean> {
  if ((await lstat(path).catch(() => null)) === null) return false;
  await rm(path, { recursive: true, force: true });
  return true;
}

/** A regular file written from memory through one descriptor: create, write, owner, mode, times. */
export async function writeSmallFile(path: string, data: Buffer, h: TarHeader, sameOwner: boolean): Promise<void> {
  await createReplacing(path, false, async () => {
    const fh = await open(path, 'wx', 0o600);
    try {
      await fh.writeFile(data);
      if (sameOwner) await fh.chown(h.uid, h.gid);
      await fh.chmod(h.mode);
      await fh.utimes(h.mtime, h.mtime);
    } finally {
      await fh.close();
    }
  });
}

/** Creates a non-small-file entry at `path` (no metadata yet). Returns true when something was replaced. */
export async function createEntry(
  path: string,
  h: TarHeader,
  body: AsyncIterable<Buffer>,
  root: string,
): Promise<boolean> {
  switch (h.type) {
    case 'directory':
      return createReplacing(path, true, () => mkdir(path).then(() => undefined));
    case 'file': {
      // A streamed body cannot be replayed, so clear the path before writing rather than retrying.
      const replaced = await clearPath(path);
      await pipeline(body, createWriteStream(path, { mode: 0o600 }));
      return replaced;
    }
    case 'symlink':
      return createReplacing(path, false, () => symlink(h.linkpath, path));
    case 'hardlink': {
      const parts = entryComponents(h.linkpath);
      const target = join(await resolveInRoot(root, parts.slice(0, -1), true), parts[parts.length - 1]!);
      if (target === path) return false;
      return createReplacing(path, false, () => link(target, path));
    }
    case 'char':
    case 'block':
    case 'fifo': {
      // mknod/mkfifo are separate processes whose "File exists" is not an errno: clear the path first.
      const replaced = await clearPath(path);
      await (h.type === 'fifo' ? makeFifo(path) : makeDevice(path, h.type, h.devmajor, h.devminor));
      return replaced;
    }
  }
}

export async function setMetadata(path: string, h: TarHeader, sameOwner: boolean): Promise<void> {
  if (sameOwner) await lchown(path, h.uid, h.gid);
  if (h.type === 'symlink') return lutimes(path, h.mtime, h.mtime);
  await chmod(path, h.mode);
  await utimes(path, h.mtime, h.mtime);
}
