/**
 * @module Applies overlay upper dirs (an image's layers: plain files, whiteouts as 0/0 character
 * devices, opaque directories marked `trusted.overlay.opaque=y`) onto a directory holding the
 * layers below, so that it ends as `mkfs.ext4 -d` would have written the merged tree: owners,
 * modes, whole-second atime and mtime (what mke2fs 1.47 copies), symbolic links, hard links
 * within the applied layers, devices and FIFOs, and xattrs (`trusted.overlay.*` left out, as the
 * merged view hides them). A replaced entry is removed first (never written through: a hard link
 * below keeps its old content, a link in the target is never followed); each directory's times are
 * set after its entries. Sockets cannot be made here: `NotIncremental` (the caller builds afresh).
 */
import { chmod, copyFile, lchown, link, lstat, lutimes, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../process/index.ts';

/** The layers cannot be applied here (the caller writes the file system afresh instead). */
export class NotIncremental extends Error {}

const OPAQUE = 'trusted.overlay.opaque';

/** xattrs of every entry of `layer` by relative path (`.`, `a/b`), as `getfattr -e hex` prints them. */
async function layerXattrs(layer: string): Promise<Map<string, string[]>> {
  const out = await runCommand(['getfattr', '-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '.'], {
    cwd: layer,
    okCodes: [1],
  });
  const map = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of out.stdout.split('\n')) {
    if (line.startsWith('# file: ')) {
      // getfattr escapes odd names (control characters, backslashes): those are left to a fresh build.
      if (line.includes('\\')) throw new NotIncremental(`an xattr on a file with an escaped name: ${line}`);
      current = [];
      map.set(line.slice('# file: '.length), current);
    } else if (line && current) current.push(line);
  }
  return map;
}

const isWhiteout = (st: Stats): boolean => st.isCharacterDevice() && st.rdev === 0;
const seconds = (ms: number): number => Math.floor(ms / 1000);

interface ApplyState {
  xattrs: Map<string, string[]>;
  /** `dev:ino` of a multiply-linked file of the layers → where it was made in the target. */
  links: Map<string, string>;
  /** Lines for `setfattr --restore` (run in the target, after every owner change: chown drops capabilities). */
  restore: string[];
}

async function setAttrs(path: string, st: Stats): Promise<void> {
  await lchown(path, st.uid, st.gid);
  if (!st.isSymbolicLink()) await chmod(path, st.mode & 0o7777);
  await lutimes(path, seconds(st.atimeMs), seconds(st.mtimeMs));
}

async function makeEntry(src: string, dst: string, st: Stats, s: ApplyState): Promise<boolean> {
  const id = `${st.dev}:${st.ino}`;
  const linked = st.nlink > 1 ? s.links.get(id) : undefined;
  if (linked) {
    await link(linked, dst);
    return false;
  }
  if (st.isFile()) await copyFile(src, dst);
  else if (st.isSymbolicLink()) await symlink(await readlink(src), dst);
  else if (st.isFIFO()) await runCommand(['mknod', dst, 'p']);
  else if (st.isCharacterDevice() || st.isBlockDevice()) {
    const kind = st.isCharacterDevice() ? 'c' : 'b';
    const major = (st.rdev >> 8) & 0xfff;
    const minor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
    await runCommand(['mknod', dst, kind, String(major), String(minor)]);
  } else throw new NotIncremental(`${src} is a socket`);
  if (st.nlink > 1 && !st.isDirectory()) s.links.set(id, dst);
  return true;
}

async function applyDir(src: string, dst: string, rel: string, s: ApplyState): Promise<void> {
  if (rel !== '.' && s.xattrs.get(rel)?.includes(`${OPAQUE}=0x79`))
    for (const name of await readdir(dst)) await rm(join(dst, name), { recursive: true, force: true });
  for (const name of await readdir(src)) {
    const from = join(src, name);
    const to = join(dst, name);
    const r = rel === '.' ? name : `${rel}/${name}`;
    const st = await lstat(from);
    const existing = await lstat(to).catch(() => undefined);
    if (isWhiteout(st)) {
      if (existing) await rm(to, { recursive: true, force: true });
      continue;
    }
    if (existing && !(existing.isDirectory() && st.isDirectory())) await rm(to, { recursive: true, force: true });
    if (st.isDirectory()) {
      if (!existing?.isDirectory()) await mkdir(to);
      await applyDir(from, to, r, s);
      await setAttrs(to, st);
    } else if (await makeEntry(from, to, st, s)) await setAttrs(to, st);
    else continue;
    const attrs = (s.xattrs.get(r) ?? []).filter((a) => !a.startsWith('trusted.overlay.'));
    if (!attrs.length) continue;
    // (An odd name with xattrs was refused when the xattrs were read: getfattr escaped it.)
    s.restore.push(`# file: ${r}`, ...attrs, '');
  }
}

/** Applies `layers` (bottom first) onto `target` (the root of the tree holding the layers below). */
export async function applyLayers(target: string, layers: readonly string[]): Promise<void> {
  const links = new Map<string, string>();
  for (const layer of layers) {
    const s: ApplyState = { xattrs: await layerXattrs(layer), links, restore: [] };
    await applyDir(layer, target, '.', s);
    // The root keeps what mke2fs gave it (0755, root's, its own times); its xattrs come from the layers.
    const rootAttrs = (s.xattrs.get('.') ?? []).filter((a) => !a.startsWith('trusted.overlay.'));
    if (rootAttrs.length) s.restore.push('# file: .', ...rootAttrs, '');
    if (s.restore.length)
      await runCommand(['setfattr', '-h', '--restore=-'], { cwd: target, input: `${s.restore.join('\n')}\n` });
  }
}
