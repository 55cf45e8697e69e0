/**
 * @module Incremental boot disks against fresh ones, on small synthetic layers with the real
 * mkfs.ext4, loop mounts and mtools: a disk made from a kept disk of the lower layers with the top
 * layers applied holds the same tree as one written afresh by `mkfs.ext4 -d` (types, modes with
 * setuid, owners, sizes and contents, whole-second mtimes, hard links, symbolic links, devices,
 * FIFOs, xattrs incl. a file capability, whiteouts and opaque directories applied), the same file
 * system UUID, passes e2fsck, and does not keep the bytes of a file a top layer deleted. Kept disks
 * are found per scope only, and the store stays bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { closeSync, openSync, readSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKeptDisk, keepDisk, type KeptDiskStore } from '../../src/cache/kept-disks.ts';
import { dataRanges } from '../../src/disk/digest.ts';
import { SECTOR, gptLayout } from '../../src/disk/gpt-write.ts';
import { EFI_FILES } from '../../src/disk/grub.ts';
import type { RootDiskReuse } from '../../src/disk/incremental-disk.ts';
import { writeRootDisk } from '../../src/disk/root-fs.ts';

const tools = ['mkfs.ext4', 'mkfs.vfat', 'mcopy', 'sfdisk', 'getfattr', 'setfattr', 'fstrim', 'e2fsck', 'unshare'];
const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
const skip =
  process.getuid?.() !== 0
    ? 'needs root (loop mounts, mknod, chown)'
    : missing.length
      ? `missing ${missing.join(', ')} (scripts/install-system-deps.sh)`
      : spawnSync('sh', ['-c', 'test -e /dev/loop-control']).status !== 0
        ? 'no loop devices (/dev/loop-control)'
        : false;

const SECRET = 'ingot-secret-that-a-top-layer-deletes';
const T = 1_700_000_000;

function file(root: string, rel: string, data: string, o: { mode?: number; uid?: number; time?: number } = {}): void {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, data);
  if (o.uid !== undefined) chownSync(p, o.uid, o.uid);
  chmodSync(p, o.mode ?? 0o644);
  utimesSync(p, (o.time ?? T) + 0.25, (o.time ?? T) + 0.75);
}

const sh = (cmd: string) => execFileSync('sh', ['-c', cmd]);

/** The bottom layer: the base and the boot files (UEFI only: no GRUB BIOS images needed). */
function baseLayer(dir: string): void {
  for (const f of Object.values(EFI_FILES)) file(dir, f, `efi ${f}\n`);
  file(dir, 'etc/os-release', 'ID=debian\n');
  file(dir, 'usr/bin/tool', '#!/bin/sh\n', { mode: 0o4755 });
  file(dir, 'usr/bin/ping', 'ping\n', { mode: 0o755 });
  sh(
    `setcap cap_net_raw+ep ${join(dir, 'usr/bin/ping')} 2>/dev/null || setfattr -n user.cap -v x ${join(dir, 'usr/bin/ping')}`,
  );
  file(dir, 'home/user/notes', 'mine\n', { uid: 1000, mode: 0o600 });
  file(dir, 'srv/secret.txt', `${SECRET}\n`.repeat(200));
  file(dir, 'srv/linked-a', 'linked\n');
  linkSync(join(dir, 'srv/linked-a'), join(dir, 'srv/linked-b'));
  file(dir, 'opt/app/old.conf', 'old\n');
  file(dir, 'opt/app/keep.conf', 'keep\n');
  symlinkSync('../usr/bin', join(dir, 'opt/bin'));
  file(dir, 'var/data', 'a file that becomes a directory\n');
  mkdirSync(join(dir, 'tmp'), { mode: 0o1777 });
  chmodSync(join(dir, 'tmp'), 0o1777);
  sh(`mknod ${join(dir, 'dev-null')} c 1 3 && mkfifo ${join(dir, 'srv/fifo')}`);
}

/** A middle layer: new files, an xattr. */
function middleLayer(dir: string, revision: string): void {
  file(dir, 'usr/share/app/data.txt', `data ${revision}\n`);
  file(dir, 'etc/app.conf', `revision ${revision}\n`, { mode: 0o640, uid: 33 });
  sh(`setfattr -n user.origin -v ${revision} ${join(dir, 'etc/app.conf')}`);
}

/** The top layer: a whiteout, an opaque directory, a link replaced by a directory, a file by a directory, hard links. */
function topLayer(dir: string): void {
  mkdirSync(join(dir, 'srv'), { recursive: true });
  sh(`mknod ${join(dir, 'srv/secret.txt')} c 0 0`);
  file(dir, 'srv/linked-a', 'changed through one name only\n');
  file(dir, 'opt/app/new.conf', 'new\n');
  sh(`setfattr -n trusted.overlay.opaque -v y ${join(dir, 'opt/app')}`);
  file(dir, 'opt/bin/local', 'a directory where a link was\n');
  file(dir, 'var/data/inside', 'now a directory\n');
  file(dir, 'etc/bench/app.conf', 'listen 8080;\n');
  linkSync(join(dir, 'etc/bench/app.conf'), join(dir, 'etc/bench/app-link.conf'));
  sh(`mkfifo ${join(dir, 'etc/bench/pipe')}`);
  for (const d of ['srv', 'opt', 'opt/app', 'opt/bin', 'var', 'var/data', 'etc', 'etc/bench'])
    utimesSync(join(dir, d), T + 50, T + 60);
}

/** Everything of the root file system that must match, one line per entry (times of the disk's own files left out). */
function treeOf(disk: string, sizeGiB: number): { tree: string; xattrs: string; uuid: string } {
  const root = gptLayout(sizeGiB * 2 ** 30).root;
  const mnt = mkdtempSync(join(tmpdir(), 'ingot-incr-mnt-'));
  try {
    const offset = root.startLba * SECTOR;
    const list = [
      `mount -t ext4 -o ro,loop,offset=${offset},sizelimit=${root.sectors * SECTOR} "${disk}" "${mnt}"`,
      `cd "${mnt}"`,
      `find . -path ./lost+found -prune -o -printf '%p %y %m %U %G %s %n %l\\n' | sort`,
      `echo ---`,
      `find . -path ./lost+found -o -path ./etc -o -path ./etc/fstab -o -path ./etc/machine-id -o -path './boot*' -o -path . -o -printf '%p %T@\\n' | sort`,
      `echo ---`,
      `find . -type f -exec sha256sum {} + | sort -k 2`,
      `echo ---`,
      `find . -type c -printf '%p ' -exec stat -c '%t:%T' {} \\; | sort`,
      `echo ---`,
      `getfattr -R -P -h -d -m - -e hex . | grep -v '^$'`,
      `cd / && umount "${mnt}"`,
    ].join('\n');
    const out = execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-ec', list], { encoding: 'utf8' });
    const [tree = '', times = '', sums = '', devices = '', xattrs = ''] = out.split('---\n');
    // The ext4 superblock (1 KiB into the partition) has the UUID at byte 0x68.
    const sb = Buffer.alloc(16);
    const fd = openSync(disk, 'r');
    readSync(fd, sb, 0, 16, offset + 1024 + 0x68);
    closeSync(fd);
    const uuid = sb.toString('hex');
    // getfattr lists in directory order, which differs between file systems: sorted by file.
    const byFile = xattrs.split('# file: ').filter(Boolean).sort().join('# file: ');
    return { tree: tree + times + sums + devices, xattrs: byFile, uuid };
  } finally {
    rmSync(mnt, { recursive: true, force: true });
  }
}

/** True when the data of the sparse file `path` (its extents: holes are zeros) holds `text`. */
async function holds(path: string, text: string): Promise<boolean> {
  const ranges = await dataRanges(path);
  assert.ok(ranges, `the extent map of ${path}`);
  const fd = openSync(path, 'r');
  try {
    for (const [start, end] of ranges) {
      const buf = Buffer.alloc(end - start);
      readSync(fd, buf, 0, buf.length, start);
      if (buf.includes(text)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

function fsck(disk: string, sizeGiB: number): void {
  const offset = gptLayout(sizeGiB * 2 ** 30).root.startLba * SECTOR;
  // e2fsprogs opens `file?offset=N` at that byte.
  const r = spawnSync('e2fsck', ['-fn', `${disk}?offset=${offset}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `e2fsck: ${r.stdout}${r.stderr}`);
}

test('a disk from a kept disk with the top layers applied holds what a fresh mkfs.ext4 -d writes', {
  skip,
  timeout: 300_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-incr-'));
  try {
    const [base, mid, midB, top] = ['base', 'mid', 'mid-b', 'top'].map((n) => join(dir, n)) as [
      string,
      string,
      string,
      string,
    ];
    for (const d of [base, mid, midB, top]) mkdirSync(d);
    baseLayer(base);
    middleLayer(mid, 'one');
    middleLayer(midB, 'two');
    topLayer(top);
    const store: KeptDiskStore = { dir: join(dir, 'kept'), keep: 2 };
    const reuse = (ids: string[], scope?: string): RootDiskReuse => ({
      kept: { find: (k) => findKeptDisk(store, k), keep: (k, f) => keepDisk(store, k, f) },
      ids,
      levels: ids.length - 1,
      scope,
    });
    const build = async (
      name: string,
      lowerDirs: string[],
      ids: string[],
      withReuse: boolean,
      scope?: string,
      overlay?: string,
    ) => {
      const work = join(dir, `work-${name}`);
      mkdirSync(work);
      const seeds = { base: JSON.stringify(ids.slice(-1)), image: JSON.stringify(ids) };
      const disk = await writeRootDisk({
        lowerDirs,
        outFile: join(dir, `${name}.raw`),
        sizeGiB: 1,
        workDir: work,
        bootMode: 'uefi',
        seeds,
        reuse: withReuse ? reuse(ids, scope) : undefined,
        overlay,
      });
      // An overlay reads as the disk once converted (as the disk outputs do).
      const raw = join(dir, `${name}.raw`);
      if (disk.format) execFileSync('qemu-img', ['convert', '-f', disk.format, '-O', 'raw', disk.path, raw]);
      return { ...disk, ...treeOf(raw, 1), path: raw };
    };

    const fresh = await build('fresh', [top, mid, base], ['t', 'm', 'b'], false);
    assert.equal(fresh.made.from, 'fresh');
    const first = await build('first', [top, mid, base], ['t', 'm', 'b'], true);
    assert.equal(first.made.from, 'fresh-kept', 'nothing kept yet: the lower layers written afresh, then kept');
    const second = await build('second', [top, mid, base], ['t', 'm', 'b'], true);
    assert.deepEqual(second.made, { from: 'kept', applied: 1 });
    // Over the kept disk itself, in a qcow2 overlay: nothing of the kept disk is copied or changed.
    const keptFiles = () => readdirSync(store.dir).filter((n) => n.endsWith('.raw'));
    const keptSums = () =>
      keptFiles().map((n) => execFileSync('sha256sum', [join(store.dir, n)], { encoding: 'utf8' }));
    const keptBefore = keptSums();
    const overlayFile = join(dir, 'third.qcow2');
    const third = await build('third', [top, mid, base], ['t', 'm', 'b'], true, undefined, overlayFile);
    assert.deepEqual(third.made, { from: 'kept', applied: 1, overlay: true });
    assert.equal(third.format, 'qcow2');
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', overlayFile], { encoding: 'utf8' })) as {
      'backing-filename'?: string;
      'actual-size': number;
    };
    assert.ok(info['backing-filename'], 'the overlay reads the kept disk');
    assert.ok(
      info['actual-size'] < 32 * 2 ** 20,
      `the overlay holds only what the build wrote (${info['actual-size']} bytes), not a copy of the kept disk`,
    );
    assert.deepEqual(keptSums(), keptBefore, 'the kept disk is only read');
    for (const d of [first, second, third]) {
      assert.equal(d.tree, fresh.tree, `${d.path}: the same tree as the fresh disk`);
      assert.equal(d.xattrs, fresh.xattrs, `${d.path}: the same xattrs`);
      assert.equal(d.uuid, fresh.uuid, `${d.path}: the same file system UUID`);
      assert.equal(d.rootUuid, fresh.rootUuid);
      fsck(d.path, 1);
    }
    assert.match(
      fresh.tree,
      /\.\/srv\/linked-b f 644 0 0 7 1 /,
      'the lower hard link keeps its content when the top replaces its partner',
    );
    assert.match(fresh.tree, /\.\/etc\/bench\/app\.conf f 644 0 0 13 2 /, 'hard links of the top layer stay links');
    assert.match(fresh.tree, /\.\/usr\/bin\/tool f 4755 /);
    assert.match(fresh.tree, /\.\/etc\/app\.conf f 640 33 33 /);
    assert.doesNotMatch(fresh.tree, /secret\.txt|old\.conf/, 'whiteout and opaque directory applied');
    assert.match(fresh.tree, /\.\/opt\/bin d /);
    assert.match(fresh.xattrs, /user\.origin=0x6f6e65/);
    assert.equal(await holds(fresh.path, SECRET), false, 'the fresh disk never had it');
    assert.equal(await holds(join(base, 'srv/secret.txt'), SECRET), true, 'the search finds it where it is');
    assert.doesNotMatch(fresh.xattrs, /trusted\.overlay/);
    for (const d of [first, second, third]) {
      assert.equal(await holds(d.path, SECRET), false, `${d.path} keeps no block of the file the top layer deleted`);
    }

    // Another scope finds nothing kept; a new middle layer starts from the kept disk of the base alone.
    const other = await build('other', [top, mid, base], ['t', 'm', 'b'], true, 'account-2');
    assert.equal(other.made.from, 'fresh-kept');
    await build('base-only', [mid, base], ['m', 'b'], true);
    const freshB = await build('fresh-b', [top, midB, base], ['t', 'm2', 'b'], false);
    const incB = await build('inc-b', [top, midB, base], ['t', 'm2', 'b'], true);
    assert.deepEqual(incB.made, { from: 'kept', applied: 2 });
    assert.equal(incB.tree, freshB.tree);
    assert.equal(incB.xattrs, freshB.xattrs);
    fsck(incB.path, 1);
    assert.ok(readdirSync(store.dir).filter((n) => n.endsWith('.raw')).length <= store.keep, 'the store stays bounded');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
