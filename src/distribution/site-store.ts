/**
 * @module A region's (site's) artifact store on a file system: blobs are content-addressed
 * (`blobs/sha256/HEX`, written once, re-used by every image that has the same bytes) and each
 * image is a directory of hard links to its blobs (`images/ID/FILE`), filled under a staging name
 * (`images/.staging-ID`) and renamed into place whole by `commitImage`.
 */
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const blobPath = (root: string, sha256: string): string => join(root, 'blobs', 'sha256', sha256);
export const imageDir = (root: string, imageId: string): string => join(root, 'images', imageId);
/** Where an image's files are gathered before `commitImage` makes them visible together. */
export const stagingDir = (root: string, imageId: string): string => {
  const dir = imageDir(root, imageId);
  return join(dirname(dir), `.staging-${basename(dir)}`);
};

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/** Puts `source` into the blob store unless a blob with that digest is there; true when re-used. */
export async function putBlob(root: string, sha256: string, source: string): Promise<boolean> {
  const target = blobPath(root, sha256);
  if (await exists(target)) return true;
  await mkdir(join(root, 'blobs', 'sha256'), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  await linkOrCopy(source, tmp);
  await rename(tmp, target);
  return false;
}

/**
 * Stores `source` as file `name` of the image (staged): links the blob when the store has it, else puts
 * it first. A prune that removes the blob between the two steps (it had no other link yet) is met by
 * putting it again, so a prune never fails an upload.
 */
export async function storeFile(
  root: string,
  imageId: string,
  name: string,
  sha256: string,
  source: string,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await placeFile(root, imageId, name, sha256);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw err;
    }
    await putBlob(root, sha256, source);
  }
}

/** Makes `NAME` in the image's staging directory a link to the blob. */
export async function placeFile(root: string, imageId: string, name: string, sha256: string): Promise<void> {
  const dir = stagingDir(root, imageId);
  await mkdir(dir, { recursive: true });
  const to = join(dir, name);
  await rm(to, { force: true });
  // A link (ENOENT when the blob is gone says so); a copy only where the file system refuses the link.
  await link(blobPath(root, sha256), to).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EMLINK' && err.code !== 'EXDEV' && err.code !== 'EPERM') throw err;
    await copyFile(blobPath(root, sha256), to);
  });
}

/** Replaces the image's directory by its staging directory (an earlier copy of the image goes). */
export async function commitImage(root: string, imageId: string): Promise<void> {
  const staged = stagingDir(root, imageId);
  if (!(await exists(staged))) return;
  const final = imageDir(root, imageId);
  const replaced = `${staged}.replaced`;
  await rm(replaced, { recursive: true, force: true });
  await rename(final, replaced).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await rename(staged, final);
  await rm(replaced, { recursive: true, force: true });
}

/** Removes an image's directory and any staged copy (its blobs stay for other images until `pruneBlobs`). */
export async function removeImage(root: string, imageId: string): Promise<void> {
  for (const dir of [stagingDir(root, imageId), `${stagingDir(root, imageId)}.replaced`, imageDir(root, imageId)])
    await rm(dir, { recursive: true, force: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTDIR') throw err; // a file where a directory would be: there is no copy
    });
}

/** Deletes blobs no image links to any more (link count 1); uploads in progress (`*.tmp-*`) are left alone. */
export async function pruneBlobs(root: string): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  const dir = join(root, 'blobs', 'sha256');
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.includes('.tmp-')) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info) continue;
    if (info.nlink <= 1) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}
