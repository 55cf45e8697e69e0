/** @module Fast checks of the disk and qemu-driver pieces that need no VM: MBR, layouts, formats, driver choice, remote exec quoting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  openSync,
  readSync,
  writeSync,
  closeSync,
  ftruncateSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { sha256Large } from '../../src/disk/digest.ts';
import { randomBytes } from 'node:crypto';
import { buildMbr, readMbrPartitions } from '../../src/disk/mbr.ts';
import { readGptPartitions } from '../../src/disk/gpt.ts';
import { ESP_TYPE, gptLayout, writeGpt } from '../../src/disk/gpt-write.ts';
import { biosBootCode, placeCoreImg } from '../../src/disk/bios-boot.ts';
import { espGrubCfg, writeEsp } from '../../src/disk/esp.ts';
import { diskFstab } from '../../src/disk/fstab.ts';
import { grubCfg } from '../../src/disk/grub-cfg.ts';
import { CLOUD_CFG } from '../../src/disk/cloud-init.ts';
import { firmwareArgv } from '../../src/instance/qemu/firmware.ts';
import { diskLayout } from '../../src/disk/layout.ts';
import { parseDiskFormats } from '../../src/disk/formats/index.ts';
import { FIRSTBOOT_SCRIPT, HOSTKEYS_UNIT } from '../../src/disk/firstboot.ts';
import { seedFiles } from '../../src/instance/qemu/seed.ts';
import { qemuArgv } from '../../src/instance/qemu/vm.ts';
import { instanceDriverFor } from '../../src/instance/qemu/select.ts';
import { execCommand } from '../../src/instance/qemu/remote.ts';
import { IngotError } from '../../src/errors/ingot-error.ts';
import { bootOptionsFromTags } from '../../src/disk/boot-options.ts';

test('MBR: GRUB boot code kept, one bootable Linux partition, readable back', () => {
  const boot = randomBytes(512);
  const mbr = buildMbr(boot, [{ startLba: 2048, sectors: 1000, type: 0x83, bootable: true }]);
  assert.deepEqual(mbr.subarray(0, 440), boot.subarray(0, 440));
  assert.deepEqual([mbr[510], mbr[511]], [0x55, 0xaa]);
  assert.deepEqual(readMbrPartitions(mbr), [{ startLba: 2048, sectors: 1000, type: 0x83, bootable: true }]);
  assert.throws(() => buildMbr(Buffer.alloc(100), []), /boot\.img is 100 bytes/);
});

test('GPT boot disk: BIOS boot partition, ESP, root last; GRUB pointed at the BIOS boot partition', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-gpt-'));
  try {
    const file = join(dir, 'disk.raw');
    const layout = gptLayout(2 * 2 ** 30);
    closeSync(openSync(file, 'w'));
    spawnSync('truncate', ['-s', String(2 * 2 ** 30), file]);
    await writeGpt(file, layout, {
      root: '11111111-2222-4333-8444-555555555555',
      esp: '66666666-7777-4888-8999-aaaaaaaaaaaa',
    });
    const head = Buffer.alloc(34 * 512);
    const fd = openSync(file, 'r');
    readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    assert.deepEqual(readGptPartitions(head), [
      { startLba: 131072, sectors: layout.root.sectors, type: 0x83, bootable: false },
    ]);
    assert.equal(layout.root.sectors % 8, 0, 'whole 4 KiB blocks');
    assert.ok((layout.root.startLba + layout.root.sectors) * 512 <= 2 * 2 ** 30 - 33 * 512, 'room for the backup GPT');
    const dump = spawnSync('sfdisk', ['-d', file], { encoding: 'utf8' }).stdout;
    assert.match(
      dump,
      new RegExp(`start=\\s*4096, size=\\s*126976, type=${ESP_TYPE}, uuid=66666666-7777-4888-8999-AAAAAAAAAAAA`),
      'the ESP has the partition UUID fstab mounts it by',
    );

    const boot = biosBootCode(randomBytes(512), layout.biosBoot.startLba);
    assert.equal(boot.length, 440);
    assert.equal(boot.readBigUInt64LE(0x5c), 2048n);
    const core = Buffer.alloc(512 * 10);
    core.writeBigUInt64LE(2n, 500);
    assert.equal(placeCoreImg(core, 2048, 2048).readBigUInt64LE(500), 2049n);
    assert.throws(() => placeCoreImg(Buffer.alloc(512 * 3000), 2048, 2048), /core\.img needs 3000 sectors/);

    await writeEsp(
      file,
      layout.esp,
      { shim: Buffer.from('shim'), grub: Buffer.from('grub'), mokManager: Buffer.from('mm') },
      'abcd',
      dir,
    );
    const esp = `${file}@@${layout.esp.startLba * 512}`;
    const type = (f: string) => spawnSync('mtype', ['-i', esp, f], { encoding: 'utf8' }).stdout;
    assert.equal(type('::/EFI/BOOT/BOOTX64.EFI'), 'shim');
    assert.equal(type('::/EFI/BOOT/grubx64.efi'), 'grub');
    assert.equal(type('::/EFI/debian/grub.cfg'), espGrubCfg('abcd'));
    assert.equal(type('::/EFI/debian/shimx64.efi'), 'shim', "where Debian's grub-install puts shim");
    assert.equal(type('::/EFI/debian/grubx64.efi'), 'grub');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fstab: root by UUID; the ESP at /boot/efi by PARTUUID (vfat, root-only, nofail) only when the disk has one', () => {
  assert.equal(
    diskFstab('r-1', 'e-1').split('\n').slice(1).join('\n'),
    'UUID=r-1 / ext4 defaults,errors=remount-ro 0 1\nPARTUUID=e-1 /boot/efi vfat umask=0077,nofail 0 0\n',
  );
  assert.doesNotMatch(diskFstab('r-1', undefined), /boot\/efi/);
});

test('grub.cfg: no menu, serial console on BIOS, root by UUID; cloud-init datasources of every platform', () => {
  const cfg = grubCfg('u-1');
  assert.match(cfg, /set timeout=0/);
  assert.match(cfg, /linux \/vmlinuz root=UUID=u-1 .*console=ttyS0/);
  // The TSC stays the guest's clock (the HPET fallback under TCG costs a quarter of the boot's CPU).
  assert.match(cfg, /linux \/vmlinuz .* tsc=reliable /);
  // The device GRUB read the config from is tried first: no probe of every disk.
  assert.match(cfg, /search --no-floppy --fs-uuid --set=root --hint=\$root u-1\n/);
  for (const ds of ['NoCloud', 'ConfigDrive', 'OpenStack', 'VMware', 'Azure', 'Ec2'])
    assert.match(CLOUD_CFG, new RegExp(`datasource_list: \\[.*\\b${ds}\\b`));
  assert.match(CLOUD_CFG, /growpart:/);
});

test('qemu firmware: SeaBIOS on pc; OVMF on q35; Secure Boot with SMM and a secure pflash', () => {
  assert.deepEqual(firmwareArgv('bios', undefined), { machine: 'pc', argv: [] });
  assert.equal(firmwareArgv('uefi', '/v.fd').machine, 'q35');
  const sb = firmwareArgv('uefi-secure-boot', '/v.fd');
  assert.equal(sb.machine, 'q35,smm=on');
  assert.ok(sb.argv.includes('driver=cfi.pflash01,property=secure,value=on'));
  assert.ok(sb.argv.some((a) => a.includes('OVMF_CODE_4M.secboot.fd')));
  assert.ok(sb.argv.some((a) => a.endsWith('file=/v.fd')));
  assert.throws(() => firmwareArgv('uefi', undefined), /variable store/);
});

test('blockDeviceMappings: root size, extra volumes, instance store and noDevice ignored, bad sizes refused', () => {
  assert.deepEqual(diskLayout(undefined), { rootGiB: 8, rootFromRecipe: false, extraVolumes: [] });
  const l = diskLayout([
    { deviceName: '/dev/xvda', ebs: { volumeSize: 20 } },
    { deviceName: '/dev/xvdb', ebs: { volumeSize: 5, volumeType: 'gp3' } },
    { deviceName: '/dev/sdc', virtualName: 'ephemeral0' },
    { deviceName: '/dev/sdd', noDevice: '' },
  ]);
  assert.deepEqual(l, {
    rootGiB: 20,
    rootFromRecipe: true,
    extraVolumes: [{ name: 'xvdb', deviceName: '/dev/xvdb', sizeGiB: 5 }],
  });
  assert.throws(
    () => diskLayout([{ deviceName: '/dev/xvda', ebs: { volumeSize: 0 } }]),
    (e: unknown) =>
      e instanceof IngotError && /blockDeviceMappings\[0\] \(\/dev\/xvda\): ebs.volumeSize/.test(e.message),
  );
  assert.throws(() => diskLayout([{ ebs: { volumeSize: 2 } }]), /needs a deviceName/);
});

test('--format parsing', () => {
  assert.deepEqual(parseDiskFormats('raw, QCOW2,vmdk,raw,OVA'), ['raw', 'qcow2', 'vmdk', 'ova']);
  assert.throws(
    () => parseDiskFormats('raw,iso'),
    (e: unknown) => e instanceof IngotError && /'iso' is not a disk format/.test(e.message),
  );
  assert.throws(() => parseDiskFormats(' , '), /at least one/);
  assert.deepEqual(parseDiskFormats('tar'), [], 'tar: the rootfs tarball, no disk');
  assert.throws(() => parseDiskFormats('tar,qcow2'), /cannot be combined/);
});

test('instanceDriverFor: ingot.vm.* types, the ingot:instance-driver tag, sandbox otherwise', () => {
  assert.deepEqual(instanceDriverFor(undefined), { driver: 'sandbox' });
  assert.deepEqual(instanceDriverFor({ instanceTypes: ['t3.medium'] }), { driver: 'sandbox' });
  assert.deepEqual(instanceDriverFor({ instanceTypes: ['t3.medium', 'ingot.vm.large'] }), {
    driver: 'qemu',
    instanceType: 'ingot.vm.large',
    cpus: 4,
    memoryMiB: 4096,
  });
  assert.equal(instanceDriverFor({ resourceTags: { 'ingot:instance-driver': 'qemu' } }).driver, 'qemu');
  assert.throws(() => instanceDriverFor({ instanceTypes: ['ingot.vm.huge'] }), /not a VM type/);
  assert.throws(
    () => instanceDriverFor({ resourceTags: { 'ingot:instance-driver': 'xen' } }),
    /must be 'qemu' or 'sandbox'/,
  );
});

test('seed files are NoCloud meta-data and #cloud-config user-data', () => {
  const f = seedFiles({ instanceId: 'i-1', hostname: 'h', sshAuthorizedKeys: ['ssh-ed25519 AAAA k'] });
  assert.equal(f['meta-data'], 'instance-id: i-1\nlocal-hostname: h\n');
  assert.equal(f['user-data'], '#cloud-config\ndisable_root: false\nssh_authorized_keys:\n  - ssh-ed25519 AAAA k\n');
});

test('the first-boot script is valid sh; host keys other than ed25519 wait for sshd', () => {
  const r = spawnSync('sh', ['-n'], { input: FIRSTBOOT_SCRIPT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(FIRSTBOOT_SCRIPT, /ssh-keygen -q -t ed25519/);
  assert.doesNotMatch(
    FIRSTBOOT_SCRIPT.split('--other-host-keys ]; then')[1]!.split('\nfi\n')[1]!,
    /ssh-keygen -A/,
    'no RSA key before sshd starts',
  );
  assert.match(HOSTKEYS_UNIT, /After=ssh\.service/);
});

test('qemu command line: no default devices; under TCG a CPU without SVM', () => {
  const spec = {
    baseDisk: '/d.raw',
    baseFormat: 'raw',
    overlay: '/o.qcow2',
    seedDisk: '/s.img',
    consoleLog: '/c.log',
    memoryMiB: 1024,
    cpus: 2,
  };
  const tcg = qemuArgv({ ...spec, accel: 'tcg' }, 2222);
  assert.ok(tcg.includes('-nodefaults'));
  assert.equal(tcg[tcg.indexOf('-cpu') + 1], 'qemu64,-svm');
  assert.equal(tcg[tcg.indexOf('-smp') + 1], '2');
  const kvm = qemuArgv({ ...spec, accel: 'kvm' }, 2222);
  assert.equal(kvm[kvm.indexOf('-cpu') + 1], 'host');
});

test('sha256 of a sparse file: holes hashed as zeros, the same digest as reading every byte', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-digest-'));
  try {
    const file = join(dir, 'sparse.raw');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 64 * 2 ** 20 + 123);
    writeSync(fd, randomBytes(5000), 0, 5000, 3);
    writeSync(fd, randomBytes(70_000), 0, 70_000, 20 * 2 ** 20 - 7);
    writeSync(fd, Buffer.from('end'), 0, 3, 64 * 2 ** 20 + 120);
    closeSync(fd);
    assert.equal(await sha256Large(file), createHash('sha256').update(readFileSync(file)).digest('hex'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sha256 of a dense file over several read chunks (read ahead into two buffers): the same digest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-digest-'));
  try {
    const file = join(dir, 'dense.raw');
    writeFileSync(file, randomBytes(2.5 * 8 * 2 ** 20 + 4097)); // two whole 8 MiB chunks and a part
    assert.equal(await sha256Large(file), createHash('sha256').update(readFileSync(file)).digest('hex'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the remote exec wrapper keeps argv, env and cwd exact, and reports exit codes (run by the local sh)', () => {
  const cmd = execCommand(
    `t${process.pid}`,
    ['sh', '-c', 'printf "%s|%s|%s" "$1" "$X" "$(pwd)"; exit 7', 'arg0', 'it\'s "quoted" $HOME'],
    { X: 'a b;c' },
    '/usr',
  );
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  assert.equal(r.status, 7);
  assert.equal(r.stdout, `it's "quoted" $HOME|a b;c|/usr`);
  assert.equal(spawnSync('sh', ['-c', execCommand('u1', ['/nonexistent/prog'], {}, '/')]).status, 127);
  spawnSync('rmdir', ['/run/ingot-exec']); // the wrapper's pid-file dir, made on this host by the local run
});

test('recipe tags: ingot:boot-mode pins the firmware, ingot:cloud-init off opts out; bad values name the tag', () => {
  assert.deepEqual(bootOptionsFromTags(undefined, 'r.yml'), {});
  assert.deepEqual(bootOptionsFromTags({ 'ingot:boot-mode': 'uefi', 'ingot:cloud-init': 'off' }, 'r.yml'), {
    bootMode: 'uefi',
    cloudInit: false,
  });
  assert.throws(
    () => bootOptionsFromTags({ 'ingot:boot-mode': 'efi' }, 'r.yml'),
    (e: unknown) =>
      e instanceof IngotError && /r\.yml: tag ingot:boot-mode: must be one of hybrid, uefi, bios/.test(e.message),
  );
});
