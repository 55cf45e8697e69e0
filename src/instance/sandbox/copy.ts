/**
 * @module copyIn/copyOut for file-system instances: every destination inside the instance is
 * resolved with `resolveInInstance`, so neither a copy nor a link in the guest reaches the host.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import {
  chmod,
  chown,
  copyFile,
  cp,
  lchown,
  lstat,
  mkdir,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Stats } from 'node:fs';
import { resolveInInstance } from '../../rootfs/resolve-path.ts';
import type { PathMapping } from '../../rootfs/resolve-path.ts';

/** Instance paths that are not files of the instance (kernel file systems mounted per exec). */
const VIRTUAL = ['/proc', '/sys', '/dev'];

async function resolveTarget(mappings: readonly PathMapping[], instancePath: string, followLast: boolean) {
  const r = await resolveInInstance(mappings, instancePath, followLast);
  if (VIRTUAL.some((v) => r.instancePath === v || r.instancePath.startsWith(`${v}/`))) {
    throw new IngotError(
      'invalid-input',
      `cannot copy to or from ${r.instancePath}: it is a kernel file system inside the instance`,
    );
  }
  return r;
}

async function keepOwnerAndMode(path: string, st: Stats): Promise<void> {
  await chown(path, st.uid, st.gid).catch(() => {});
  await chmod(path, st.mode & 0o7777);
}

/** Makes the (resolved) parent directory of an instance path exist. */
async function ensureParent(mappings: readonly PathMapping[], instancePath: string): Promise<void> {
  const parent = await resolveTarget(mappings, dirname(instancePath), true);
  if (!parent.exists) await mkdir(parent.hostPath, { recursive: true }); // nothing below a missing dir can be a link
}

async function copyEntry(mappings: readonly PathMapping[], src: string, dest: string, top: boolean): Promise<void> {
  const st = top ? await stat(src) : await lstat(src);
  if (st.isSymbolicLink()) {
    const r = await resolveTarget(mappings, dest, false);
    await ensureParent(mappings, r.instancePath);
    await rm(r.hostPath, { force: true });
    await symlink(await readlink(src), r.hostPath);
    await lchown(r.hostPath, st.uid, st.gid).catch(() => {});
    return;
  }
  const r = await resolveTarget(mappings, dest, true);
  if (st.isDirectory()) {
    if (!r.exists) {
      await ensureParent(mappings, r.instancePath);
      await mkdir(r.hostPath);
    } else if (!(await lstat(r.hostPath)).isDirectory()) {
      throw new IngotError('invalid-input', `cannot copy directory ${src} over non-directory ${r.instancePath}`);
    }
    for (const name of await readdir(src))
      await copyEntry(mappings, join(src, name), `${r.instancePath}/${name}`, false);
    await keepOwnerAndMode(r.hostPath, st);
  } else if (st.isFile()) {
    await ensureParent(mappings, r.instancePath);
    await copyFile(src, r.hostPath);
    await keepOwnerAndMode(r.hostPath, st);
  } else {
    throw new IngotError('invalid-input', `cannot copy ${src}: not a file, directory or symbolic link`);
  }
}

/** Copies a host file or directory to `instancePath` (the exact target path, like `fs.cp`). */
export async function copyIntoInstance(
  mappings: readonly PathMapping[],
  hostPath: string,
  instancePath: string,
): Promise<void> {
  await copyEntry(mappings, hostPath, instancePath, true);
}

/** Copies an instance file or directory out; links inside it are copied as links, never followed. */
export async function copyOutOfInstance(
  mappings: readonly PathMapping[],
  instancePath: string,
  hostPath: string,
): Promise<void> {
  const r = await resolveTarget(mappings, instancePath, true);
  if (!r.exists) throw Object.assign(new Error(`no such file in the instance: ${instancePath}`), { code: 'ENOENT' });
  await cp(r.hostPath, hostPath, { recursive: true, force: true, verbatimSymlinks: true });
}
