/**
 * @module The host side of a VM capture: the guest's archive of what changed is unpacked into the
 * layer's upper directory and removed entries become whiteouts, all in the build's reader cgroup and
 * stopped by its abort signal. Nothing the guest sent is followed out of the upper directory: GNU tar
 * keeps links as links (absolute and `..` ones are placed last), whiteouts go only below real
 * directories, and the throwaway SSH key is dropped from a regular file only (never through a link).
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { type Confinement, runCommand } from '../../process/index.ts';

/** The SSH key the qemu instance injected (src/instance/qemu/ssh.ts) must not stay in the image. */
const THROWAWAY_KEY = / ingot-instance\s*$/;
const AUTHORIZED_KEYS = 'root/.ssh/authorized_keys';
const MAX_KEYS_FILE = 1024 * 1024;

export interface CapturedChanges {
  /** The guest's tar of the changed entries (on the host), if anything changed. */
  archive?: string | undefined;
  /** Paths (relative to /) the guest no longer has. */
  removed: readonly string[];
  upperDir: string;
  run?: Confinement | undefined;
}

export async function applyCapture(c: CapturedChanges): Promise<void> {
  const run = c.run ?? {};
  // The guest could send a link in its place (to a host file, a FIFO): only a regular file is unpacked.
  if (c.archive && !(await lstat(c.archive)).isFile())
    throw new Error('the changes the build instance sent are not a regular file: nothing of them is kept');
  if (c.archive)
    await runCommand(
      ['tar', '-C', c.upperDir, '--numeric-owner', '--xattrs', '--xattrs-include=*', '-xpf', c.archive],
      run,
    );
  for (const path of c.removed) {
    const parent = await realDirFor(c.upperDir, path.split('/').filter(Boolean).slice(0, -1));
    // Below a link or a file of the layer the entry is hidden anyway: no whiteout, nothing followed.
    if (parent === undefined) continue;
    const name = path.split('/').filter(Boolean).pop();
    if (!name || (await lstat(join(parent, name)).catch(() => undefined))) continue;
    await runCommand(['mknod', join(parent, name), 'c', '0', '0'], run);
  }
  await dropThrowawayKey(c.upperDir);
}

/** `upperDir/parts` as real directories (made where missing); undefined when one of them is anything else. */
async function realDirFor(upperDir: string, parts: readonly string[]): Promise<string | undefined> {
  let dir = upperDir;
  for (const part of parts) {
    if (part === '..' || part === '.') return undefined;
    dir = join(dir, part);
    const st = await lstat(dir).catch(() => undefined);
    if (!st) await mkdir(dir);
    else if (!st.isDirectory()) return undefined;
  }
  return dir;
}

/** Drops the throwaway key from /root/.ssh/authorized_keys when it is a regular file of the layer. */
async function dropThrowawayKey(upperDir: string): Promise<void> {
  for (const dir of ['root', 'root/.ssh'])
    if (!(await lstat(join(upperDir, dir)).catch(() => undefined))?.isDirectory()) return;
  const flags = constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;
  const fh = await open(join(upperDir, AUTHORIZED_KEYS), flags).catch(() => undefined);
  if (!fh) return;
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_KEYS_FILE) return;
    const text = (await fh.readFile()).toString('utf8');
    const kept = text.split('\n').filter((line) => !THROWAWAY_KEY.test(line));
    if (kept.length === text.split('\n').length) return;
    await fh.truncate(0);
    await fh.write(kept.join('\n'), 0);
  } finally {
    await fh.close();
  }
}
