/**
 * @module Test helper: a tiny root file system made of the host's own binaries (bash and a few
 * tools with their shared libraries), enough for ExecuteBash steps in a sandbox; optionally with an
 * (empty) dpkg status database. Also as a rootfs tarball, and as an MBR disk with an ext4 root.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildMbr } from '../../src/disk/mbr.ts';

const TOOLS = ['sh', 'bash', 'mktemp', 'cat', 'rm', 'ls', 'sleep', 'mkdir', 'chmod'];

/** `root` gets /bin/{sh,bash,...} with their libraries, /etc/golden.txt and, with `dpkg`, an empty /var/lib/dpkg/status. */
export function tinyRootfs(root: string, opts: { dpkg: boolean }): void {
  for (const d of ['bin', 'etc', 'tmp', 'root', 'usr/bin']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  for (const tool of TOOLS) {
    const path = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    copyFileSync(path, join(root, 'bin', tool));
    chmodSync(join(root, 'bin', tool), 0o755);
    for (const lib of execFileSync('ldd', [path], { encoding: 'utf8' }).match(/\/\S+/g) ?? []) {
      mkdirSync(dirname(join(root, lib)), { recursive: true });
      copyFileSync(lib, join(root, lib));
    }
  }
  writeFileSync(join(root, 'etc/golden.txt'), 'hello-from-tiny\n');
  if (opts.dpkg) {
    mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
    writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  }
}

/** A zstd rootfs tarball of `root` (a parentImage for `ingot build`). */
export function tarRootfs(root: string, tarball: string): void {
  execFileSync('tar', ['--zstd', '--numeric-owner', '-C', root, '-cf', tarball, '.']);
}

/** raw disk: MBR with one Linux partition at 1 MiB holding an ext4 made from `root`. */
export function makeDisk(root: string, raw: string): void {
  const mib = 40;
  execFileSync('truncate', ['-s', `${mib}M`, raw]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-d', root, '-E', 'offset=1048576', raw, `${mib - 2}M`]);
  const fd = openSync(raw, 'r+');
  writeSync(
    fd,
    buildMbr(Buffer.alloc(512), [{ startLba: 2048, sectors: (mib - 1) * 2048, type: 0x83, bootable: true }]),
    0,
    512,
    0,
  );
  closeSync(fd);
}
