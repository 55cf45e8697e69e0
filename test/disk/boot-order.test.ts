/** @module Fast checks of what the bootable-disk layer does for boot speed: cloud-init's stages, ds-identify, disabled units, the VM's NIC. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLOUD_INIT_NET_DROPIN,
  CLOUD_INIT_NET_DROPIN_PATH,
  DS_IDENTIFY_CFG,
  DS_IDENTIFY_CFG_PATH,
  netStageNeeded,
  UNITS_DISABLED,
  USER_ENV_GENERATOR_MASK,
  ROOT_LINGER,
  SSHD_DROPIN,
  SSHD_DROPIN_PATH,
  UNITS_MASKED,
} from '../../src/disk/boot-order.ts';
import {
  bootTrimScript,
  FSCK_ROOT_DROPIN,
  FSCK_ROOT_DROPIN_PATH,
  GENERATOR_MASK_DIR,
  GENERATORS_MASKED,
  MODULE_BLACKLIST,
  MODULE_BLACKLIST_PATH,
  RANDOM_SEED,
} from '../../src/disk/boot-trim.ts';
import {
  CLOUD_CFG,
  CLOUD_DATASOURCES,
  CLOUD_INIT_DIVERTED,
  CLOUD_INIT_ENTRY,
  cloudInitEntryScript,
} from '../../src/disk/cloud-init.ts';
import { IDENTITY } from '../../src/disk/root-fs.ts';
import { bootComponentText, INITRAMFS_MODULES } from '../../src/engine/disk/boot-component.ts';
import { qemuArgv } from '../../src/instance/qemu/vm.ts';

/** The status.json cloud-init's local stage leaves, for a datasource printed as `ds`. */
const status = (ds: string | null) =>
  JSON.stringify({ v1: { datasource: ds, 'init-local': { errors: [], finished: 12.5, start: 3.1 }, stage: null } });

test("cloud-init's network stage runs only when the local stage found no local-mode datasource", () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-boot-order-'));
  try {
    const cases: [string, string | null, boolean][] = [
      ['NoCloud seed', 'DataSourceNoCloud [seed=dmi,/dev/vdb][dsmode=local]', false],
      ['config drive', 'DataSourceConfigDrive [local,ver=2][source=/dev/sr0]', false],
      ['NoCloud over the network', 'DataSourceNoCloudNet [seed=dmi,http://10.0.0.1/][dsmode=net]', true],
      ['OpenStack metadata service', 'DataSourceOpenStackLocal [net,ver=2]', true],
      ['EC2', 'DataSourceEc2Local', true],
      ['nothing found yet', null, true],
    ];
    for (const [name, ds, needed] of cases) {
      const file = join(dir, 'status.json');
      writeFileSync(file, status(ds));
      const r = spawnSync('sh', ['-c', netStageNeeded(file)]);
      assert.equal(r.status === 0, needed, `${name}: network stage ${needed ? 'runs' : 'skipped'}`);
    }
    const missing = spawnSync('sh', ['-c', netStageNeeded(join(dir, 'none.json'))]);
    assert.equal(missing.status, 0, 'no status file (local stage did not run): the network stage runs');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bootable-disk layer with cloud-init: ds-identify stops at the first match, the skip drop-in, units disabled', () => {
  const text = bootComponentText(true);
  assert.match(DS_IDENTIFY_CFG, /found=first/);
  assert.ok(text.includes(`cat > ${DS_IDENTIFY_CFG_PATH}`));
  assert.ok(text.includes(`cat > ${CLOUD_INIT_NET_DROPIN_PATH}`));
  assert.match(CLOUD_INIT_NET_DROPIN, /^\[Service\]\nExecCondition=\/bin\/sh -c "! grep .*status\.json"$/m);
  for (const unit of ['networking.service', 'e2scrub_reap.service', 'e2scrub_all.timer'])
    assert.ok((UNITS_DISABLED as readonly string[]).includes(unit), unit);
  assert.match(text, /systemctl disable "\$u"/);
  assert.match(CLOUD_CFG, /^ssh_quiet_keygen: true$/m);
  const without = bootComponentText(false);
  assert.ok(!without.includes(DS_IDENTIFY_CFG_PATH) && !without.includes(CLOUD_INIT_NET_DROPIN_PATH));
});

test("root's user manager (the first SSH login waits for it) runs no gpg-agent generator, with or without cloud-init", () => {
  for (const cloudInit of [true, false])
    assert.ok(bootComponentText(cloudInit).includes(`ln -sfn /dev/null ${USER_ENV_GENERATOR_MASK}`), String(cloudInit));
});

test('every bootable image: root lingers, sshd starts once, module-only units masked', () => {
  assert.match(SSHD_DROPIN, /^\[Service\]\nExecStartPre=$/m);
  for (const cloudInit of [true, false]) {
    const text = bootComponentText(cloudInit);
    assert.ok(text.includes(`: > ${ROOT_LINGER}`), `linger (${cloudInit})`);
    assert.ok(text.includes(`cat > ${SSHD_DROPIN_PATH}`), `sshd drop-in (${cloudInit})`);
    assert.ok(text.includes(`systemctl mask ${UNITS_MASKED.join(' ')}`), `masks (${cloudInit})`);
  }
  assert.deepEqual([...UNITS_MASKED], ['systemd-repart.service', 'modprobe@drm.service']);
});

test("the VM's NIC has no option ROM (no iPXE started by the firmware)", () => {
  const argv = qemuArgv(
    {
      baseDisk: '/d.raw',
      baseFormat: 'raw',
      overlay: '/o.qcow2',
      seedDisk: '/s.img',
      consoleLog: '/c.log',
      memoryMiB: 1024,
      cpus: 2,
      accel: 'tcg',
    },
    2222,
  );
  assert.equal(
    argv.find((a) => a.startsWith('virtio-net-pci')),
    'virtio-net-pci,netdev=net0,romfile=',
  );
});

test('every bootable image: generators a server VM never needs masked, floppy and PC speaker not loaded at boot', () => {
  assert.deepEqual(
    [...GENERATORS_MASKED],
    ['systemd-hibernate-resume-generator', 'systemd-system-update-generator', 'systemd-gpt-auto-generator'],
  );
  assert.match(MODULE_BLACKLIST, /^blacklist floppy\nblacklist pcspkr\n$/m);
  const dir = mkdtempSync(join(tmpdir(), 'ingot-boot-trim-'));
  try {
    // The script's own lines, run against a scratch root: the masks are /dev/null links.
    const script = bootTrimScript().replaceAll('/etc/', `${dir}/etc/`);
    const r = spawnSync('sh', ['-euc', script]);
    assert.equal(r.status, 0, r.stderr.toString());
    for (const g of GENERATORS_MASKED) assert.equal(readlinkSync(join(dir, GENERATOR_MASK_DIR, g)), '/dev/null', g);
    assert.equal(readFileSync(join(dir, MODULE_BLACKLIST_PATH), 'utf8'), MODULE_BLACKLIST);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const cloudInit of [true, false]) {
    const text = bootComponentText(cloudInit);
    assert.ok(text.includes(`ln -sfn /dev/null "${GENERATOR_MASK_DIR}/$g"`), `masks (${cloudInit})`);
    assert.ok(text.includes(`cat > ${MODULE_BLACKLIST_PATH}`), `blacklist (${cloudInit})`);
  }
});

test('every bootable image: no fsck of the root file system on the first boot (random-seed is left out of images), on later boots as before', () => {
  assert.match(FSCK_ROOT_DROPIN, /^\[Unit\]\nConditionPathExists=\/var\/lib\/systemd\/random-seed$/m);
  assert.equal(
    `/${IDENTITY.find((f) => f.endsWith('random-seed'))}`,
    RANDOM_SEED,
    'the disk writer leaves the seed out',
  );
  const dir = mkdtempSync(join(tmpdir(), 'ingot-boot-fsck-'));
  try {
    const r = spawnSync('sh', ['-euc', bootTrimScript().replaceAll('/etc/', `${dir}/etc/`)]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(readFileSync(join(dir, FSCK_ROOT_DROPIN_PATH), 'utf8'), FSCK_ROOT_DROPIN);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const cloudInit of [true, false])
    assert.ok(bootComponentText(cloudInit).includes(`cat > ${FSCK_ROOT_DROPIN_PATH}`), String(cloudInit));
});

test('cloud-init: every required datasource kept; growpart and a background resize on first boot', () => {
  for (const ds of ['NoCloud', 'ConfigDrive', 'OpenStack', 'VMware', 'Azure', 'Ec2'])
    assert.ok((CLOUD_DATASOURCES as readonly string[]).includes(ds), ds);
  assert.match(CLOUD_CFG, /^growpart:\n {2}mode: auto\n {2}devices: \['\/'\]$/m);
  assert.match(CLOUD_CFG, /^resize_rootfs: noblock$/m);
});

/** Debian's interpreter, as the image's script names it. */
const hasPython = spawnSync('/usr/bin/python3', ['-c', 'pass']).status === 0;

test("cloud-init's entry script runs cloud-init's main without importlib.metadata, or Debian's script", {
  skip: hasPython ? false : 'needs /usr/bin/python3',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-ci-entry-'));
  try {
    // A stand-in cloudinit package whose main reports its arguments and what was imported.
    mkdirSync(join(dir, 'lib/cloudinit/cmd'), { recursive: true });
    writeFileSync(join(dir, 'lib/cloudinit/__init__.py'), '');
    writeFileSync(join(dir, 'lib/cloudinit/cmd/__init__.py'), '');
    writeFileSync(
      join(dir, 'lib/cloudinit/cmd/main.py'),
      "import sys\ndef main():\n    print(sys.argv[1:], 'importlib.metadata' in sys.modules)\n    return 3\n",
    );
    const diverted = join(dir, 'cloud-init.distrib');
    writeFileSync(diverted, '#!/bin/sh\necho "debian $*"\nexit 4\n', { mode: 0o755 });
    const entry = join(dir, 'cloud-init');
    writeFileSync(entry, CLOUD_INIT_ENTRY.replaceAll(CLOUD_INIT_DIVERTED, diverted), { mode: 0o755 });
    const run = (pythonPath: string) =>
      spawnSync('/usr/bin/python3', [entry, 'init', '--local'], {
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: pythonPath },
      });
    const direct = run(join(dir, 'lib'));
    assert.equal(direct.status, 3, direct.stderr);
    assert.equal(direct.stdout, "['init', '--local'] False\n");
    const fallback = run(join(dir, 'none'));
    assert.equal(fallback.status, 4, fallback.stderr);
    assert.equal(fallback.stdout, 'debian init --local\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(CLOUD_INIT_ENTRY.startsWith('#!/usr/bin/python3\n'));
  assert.match(
    cloudInitEntryScript(),
    /^dpkg-divert --local .*--rename --divert \/usr\/bin\/cloud-init\.distrib --add \/usr\/bin\/cloud-init$/m,
  );
  assert.ok(
    bootComponentText(true).includes('dpkg-divert --local') &&
      bootComponentText(true).includes("cat > /usr/bin/cloud-init <<'EOF'"),
  );
  assert.ok(!bootComponentText(false).includes('dpkg-divert'));
});

test('the initramfs carries the drivers of every platform the issue names (KVM, VMware, Hyper-V, plain SATA and e1000), and only those', () => {
  const text = bootComponentText(true);
  assert.match(text, /echo MODULES=list > \/etc\/initramfs-tools\/conf\.d\/ingot-modules\.conf/);
  const hook = /manual_add_modules (.*)\n/.exec(text)?.[1]?.split(' ') ?? [];
  assert.deepEqual(hook, INITRAMFS_MODULES);
  const required = ['virtio_blk', 'virtio_scsi', 'virtio_net', 'vmw_pvscsi', 'vmxnet3', 'hv_storvsc', 'hv_netvsc'];
  for (const m of [...required, 'ahci', 'ata_piix', 'nvme', 'e1000', 'e1000e', 'ext4'])
    assert.ok(hook.includes(m), `${m} in the initramfs`);
});
