/**
 * @module Content digest of a root file system: sha256 over a sorted manifest of every entry's
 * path, type, mode, owner, size and content hash (or link target). Timestamps are left out, so the
 * same packages bootstrapped twice give the same digest only if the bytes are the same.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function entryLine(abs: string, rel: string): Promise<string> {
  const st = await lstat(abs);
  const head = `${rel}\0${(st.mode & 0o177777).toString(8)}\0${st.uid}:${st.gid}`;
  if (st.isFile()) return `${head}\0${st.size}\0${await fileSha256(abs)}`;
  if (st.isSymbolicLink()) return `${head}\0${await readlink(abs)}`;
  if (st.isCharacterDevice() || st.isBlockDevice()) return `${head}\0${st.rdev}`;
  return head;
}

/** `sha256:<hex>` of the tree below `dir`. */
export async function treeDigest(dir: string): Promise<string> {
  const manifest = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort();
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = join(dir, childRel);
      manifest.update(`${await entryLine(abs, childRel)}\n`);
      if ((await lstat(abs)).isDirectory()) await walk(childRel);
    }
  };
  await walk('');
  return `sha256:${manifest.digest('hex')}`;
}
