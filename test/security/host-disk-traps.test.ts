/**
 * @module Traps an image plants for the host-side stages that assemble its outputs (the boot disk and
 * its ESP, the rootfs tarball) and for the VM capture: links to host files and to /dev/zero, FIFOs,
 * device nodes, links in lower layers. Links stay links, special files stay special files, no host
 * content lands in an output, nothing hangs, and the stages run in the build's reader cgroup where a
 * cancel ends them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createReaderCgroup } from '../../src/cgroups/index.ts';
import { EFI_FILES } from '../../src/disk/grub.ts';
import { writeRootDisk } from '../../src/disk/root-fs.ts';
import { gptLayout } from '../../src/disk/gpt-write.ts';
import { writeRootfsTarball } from '../../src/engine/outputs/rootfs-tarball.ts';
import { applyCapture } from '../../src/engine/vm-build/apply-capture.ts';
import { readLayeredFile, resolveLayered } from '../../src/rootfs/layered-path.ts';
import { ImageFileError } from '../../src/rootfs/read-image-file.ts';
import { hasTool } from '../../src/process/index.ts';

const tools = ['mkfs.ext4', 'debugfs', 'sfdisk', 'mkfs.vfat', 'mtype', 'zstd'];
const skip =
  process.getuid?.() !== 0
    ? 'needs root (device nodes, overlayfs)'
    : tools.find((t) => !hasTool(t))
      ? `needs ${tools.join(', ')}`
      : false;
let dir = '';
let lower = ''; // the image's lower layer: the traps
let upper = ''; // a layer above it
let hostSecret = '';
const SECRET = `host-secret-${Math.random()}`;

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'ingot-disk-traps-'));
  lower = join(dir, 'lower');
  upper = join(dir, 'upper');
  hostSecret = join(dir, 'host/secret.efi');
  mkdirSync(join(dir, 'host'));
  writeFileSync(hostSecret, SECRET);
  for (const d of ['etc', 'dev', 'usr/lib/shim', 'usr/lib/grub/x86_64-efi-signed', 'boot', 'var/trap'])
    mkdirSync(join(lower, d), { recursive: true });
  mkdirSync(join(upper, 'etc'), { recursive: true });
  symlinkSync('/etc/shadow', join(lower, 'etc/evil'));
  symlinkSync('/dev/zero', join(lower, 'var/trap/zero'));
  execFileSync('mknod', [join(lower, 'dev/zero'), 'c', '1', '5']);
  execFileSync('mknod', [join(lower, 'var/trap/device'), 'c', '1', '5']);
  execFileSync('mkfifo', [join(lower, 'var/trap/fifo')]);
  // The shim is a link to a host file's path; the image has its own file at that path.
  symlinkSync(hostSecret, join(lower, EFI_FILES.shim));
  mkdirSync(join(lower, join(hostSecret, '..')), { recursive: true });
  writeFileSync(join(lower, hostSecret), 'the image shim');
  writeFileSync(join(lower, EFI_FILES.mokManager), 'the image mok manager');
  writeFileSync(join(lower, EFI_FILES.grub), 'the image grub');
  // A lower layer's directory link to the host, shadowed by a real directory above: never looked into.
  symlinkSync(join(dir, 'host'), join(lower, 'boot/efi'));
  mkdirSync(join(upper, 'boot/efi'), { recursive: true });
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('layered reads resolve inside the image: no host file, FIFO, device or oversize file is read', {
  skip,
}, async () => {
  const layers = [upper, lower];
  const read = (p: string, maxBytes = 1024) => readLayeredFile(layers, p, { maxBytes });
  assert.equal(String(await read(`/${EFI_FILES.shim}`)), 'the image shim');
  assert.equal(await read('/boot/efi/secret.efi'), undefined, 'a lower layer link under an upper directory');
  assert.equal(await read('/etc/evil'), undefined, 'the image has no /etc/shadow');
  for (const p of ['/var/trap/fifo', '/var/trap/device', '/var/trap/zero'])
    await assert.rejects(read(p), (err: unknown) => err instanceof ImageFileError && err.reason === 'not-regular');
  await assert.rejects(read(`/${EFI_FILES.grub}`, 4), (err: unknown) => err instanceof ImageFileError);
  assert.equal((await resolveLayered(layers, '/etc/evil', false))?.stats.isSymbolicLink(), true);
});

/** The inode type debugfs reports for `path` in the disk's root partition. */
function inodeType(raw: string, path: string): string {
  const offset = gptLayout(2 ** 30).root.startLba * 512;
  const out = execFileSync('debugfs', ['-R', `stat ${path}`, `${raw}?offset=${offset}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return /Type: ([a-zA-Z ]+?)\s+Mode/.exec(out)?.[1] ?? out;
}

test('the boot disk keeps links and special files as they are and takes the ESP files from the image', {
  skip,
  timeout: 120_000,
}, async () => {
  const raw = join(dir, 'disk.raw');
  const work = mkdtempSync(join(dir, 'work-'));
  const { cgroup } = await createReaderCgroup({ pids: 64, memoryMiB: 512 });
  try {
    await writeRootDisk({
      lowerDirs: [upper, lower],
      outFile: raw,
      sizeGiB: 1,
      workDir: work,
      bootMode: 'uefi',
      run: { cgroupProcs: cgroup?.procsFiles ?? [] },
    });
  } finally {
    await cgroup?.remove();
  }
  const esp = `${raw}@@${gptLayout(2 ** 30).esp.startLba * 512}`;
  const shim = execFileSync('mtype', ['-i', esp, '::/EFI/BOOT/BOOTX64.EFI'], { encoding: 'utf8' });
  assert.equal(shim, 'the image shim');
  assert.equal(inodeType(raw, '/etc/evil'), 'symlink');
  assert.equal(inodeType(raw, '/var/trap/zero'), 'symlink');
  assert.equal(inodeType(raw, '/var/trap/fifo'), 'FIFO');
  assert.equal(inodeType(raw, '/var/trap/device'), 'character special');
  for (const f of ['grubx64.efi', 'mmx64.efi'])
    assert.match(execFileSync('mtype', ['-i', esp, `::/EFI/BOOT/${f}`], { encoding: 'utf8' }), /^the image /);
  rmSync(raw);
});

test('a FIFO or a link to /dev/zero where a boot file should be fails the disk at once', {
  skip,
  timeout: 60_000,
}, async () => {
  for (const [name, make] of [
    ['fifo', (p: string) => execFileSync('mkfifo', [p])],
    ['zero', (p: string) => symlinkSync('/dev/zero', p)],
  ] as const) {
    const top = join(dir, `top-${name}`);
    mkdirSync(join(top, 'usr/lib/grub/x86_64-efi-signed'), { recursive: true });
    make(join(top, EFI_FILES.grub));
    const work = mkdtempSync(join(dir, 'work-'));
    await assert.rejects(
      writeRootDisk({
        lowerDirs: [top, upper, lower],
        outFile: join(work, 'd.raw'),
        sizeGiB: 1,
        workDir: work,
        bootMode: 'uefi',
      }),
      /grubx64\.efi\.signed cannot go on the disk: is not a regular file/,
    );
    rmSync(work, { recursive: true, force: true });
  }
});

test('the rootfs tarball stores links and special files as entries', { skip, timeout: 60_000 }, async () => {
  const out = join(dir, 'rootfs.tar.zst');
  await writeRootfsTarball([upper, lower], out, 'zstd', dir);
  const listing = execFileSync('tar', ['--zstd', '-tvf', out], { encoding: 'utf8' });
  assert.match(listing, /^l\S+ .* \.\/etc\/evil -> \/etc\/shadow$/m);
  assert.match(listing, /^l\S+ .* \.\/var\/trap\/zero -> \/dev\/zero$/m);
  assert.match(listing, /^p\S+ .* \.\/var\/trap\/fifo$/m);
  assert.match(listing, /^c\S+ .* \.\/var\/trap\/device$/m);
  assert.ok(!execFileSync('tar', ['--zstd', '-xOf', out]).includes(SECRET));
});

test('the rootfs tarball runs in the reader cgroup and a cancel ends it', { skip, timeout: 90_000 }, async (t) => {
  const { cgroup } = await createReaderCgroup({ pids: 64 });
  if (!cgroup) return t.skip('no cgroup could be made here');
  const big = join(dir, 'big');
  mkdirSync(big);
  writeFileSync(join(big, 'sparse'), '');
  truncateSync(join(big, 'sparse'), 64 * 2 ** 30); // read in full by tar: far longer than the test waits
  const ac = new AbortController();
  try {
    const run = writeRootfsTarball([big], join(dir, 'big.tar.zst'), 'zstd', dir, {
      cgroupProcs: cgroup.procsFiles,
      signal: ac.signal,
    }).then(
      () => 'finished',
      (err: Error) => err,
    );
    let seen = 0;
    for (let i = 0; i < 300 && !seen; i++) {
      seen = (await cgroup.pids()).length;
      if (!seen) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(seen > 0, 'no process of the tarball ran in the cgroup');
    const cancelled = Date.now();
    ac.abort();
    assert.notEqual(await run, 'finished');
    assert.ok(Date.now() - cancelled < 10_000, 'the cancel took too long');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await cgroup.pids(), [], 'a process of the tarball outlived the cancel');
  } finally {
    await cgroup.remove();
    rmSync(big, { recursive: true, force: true });
  }
});

test('a VM capture never writes through the links the guest sent', { skip, timeout: 30_000 }, async () => {
  const guest = join(dir, 'guest');
  const victim = join(dir, 'victim');
  mkdirSync(join(guest, 'root/.ssh'), { recursive: true });
  mkdirSync(victim);
  const hostKeys = join(victim, 'authorized_keys');
  writeFileSync(hostKeys, 'ssh-ed25519 AAAA host\nssh-ed25519 BBBB ingot-instance\n');
  symlinkSync(victim, join(guest, 'x'));
  symlinkSync(hostKeys, join(guest, 'root/.ssh/authorized_keys'));
  execFileSync('mkfifo', [join(guest, 'fifo')]);
  const archive = join(dir, 'changes.tar');
  execFileSync('tar', ['-C', guest, '--numeric-owner', '-cf', archive, 'x', 'root', 'fifo']);
  const layer = join(dir, 'captured');
  mkdirSync(layer);
  await applyCapture({ archive, removed: ['/x/planted', '/etc/gone'], upperDir: layer });
  assert.ok(!existsSync(join(victim, 'planted')), 'a whiteout was made through the link');
  assert.equal(readFileSync(hostKeys, 'utf8'), 'ssh-ed25519 AAAA host\nssh-ed25519 BBBB ingot-instance\n');
  assert.equal(
    execFileSync('stat', ['-c', '%F %t:%T', join(layer, 'etc/gone')], { encoding: 'utf8' }).trim(),
    'character special file 0:0',
  );
  assert.equal(execFileSync('stat', ['-c', '%F', join(layer, 'fifo')], { encoding: 'utf8' }).trim(), 'fifo');
  // The archive itself as a link to a host archive: refused, nothing of the host's archive unpacked.
  const linked = join(dir, 'linked.tar');
  symlinkSync(archive, linked);
  const other = join(dir, 'captured-link');
  mkdirSync(other);
  await assert.rejects(applyCapture({ archive: linked, removed: [], upperDir: other }), /not a regular file/);
  assert.deepEqual(readdirSync(other), []);
  // A regular authorized_keys loses the throwaway key.
  const plain = join(dir, 'captured-plain');
  mkdirSync(join(plain, 'root/.ssh'), { recursive: true });
  writeFileSync(join(plain, 'root/.ssh/authorized_keys'), 'ssh-ed25519 AAAA mine\nssh-ed25519 BBBB ingot-instance\n');
  await applyCapture({ removed: [], upperDir: plain });
  assert.equal(readFileSync(join(plain, 'root/.ssh/authorized_keys'), 'utf8'), 'ssh-ed25519 AAAA mine\n');
});
