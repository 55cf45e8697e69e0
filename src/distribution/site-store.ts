/**
 * @module A region's (site's) artifact store on a file system: blobs are content-addressed
 * (`blobs/sha256/HEX`, written once, re-used by every image that has the same bytes) and each
 * image is a directory of hard links to its blobs (`images/ID/FILE`).
 */
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const blobPath = (root: string, sha256: string): string => join(root, 'blobs', 'sha256', sha256);
export const imageDir = (root: string, imageId: string): string => join(root, 'images', imageId);

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

/** Makes `images/ID/NAME` a link to the blob. */
export async function placeFile(root: string, imageId: string, name: string, sha256: string): Promise<void> {
  const dir = imageDir(root, imageId);
  await mkdir(dir, { recursive: true });
  const to = join(dir, name);
  await rm(to, { force: true });
  await linkOrCopy(blobPath(root, sha256), to);
}

/** Removes an image's directory (its blobs stay for other images until `pruneBlobs`). */
export async function removeImage(root: string, imageId: string): Promise<void> {
  await rm(imageDir(root, imageId), { recursive: true, force: true });
}

/** Deletes blobs no image links to any more (link count 1). */
export async function pruneBlobs(root: string): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  const dir = join(root, 'blobs', 'sha256');
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const info = await stat(path);
    if (info.nlink <= 1) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}
