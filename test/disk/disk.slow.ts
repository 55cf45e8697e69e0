/**
 * @module Disk images end to end, with real qemu: `ingot build --format` on Debian 12 + a small
 * component (bootable-disk layer, mkfs without loop devices, every format converted and checked,
 * the test phase run in the disk booted under qemu); the qemu instance (conformance suite, a
 * component with a Reboot step); importing a disk as a parent image. One disk serves every case.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importDisk } from '../../src/disk/import.ts';
import type { OutputManifest } from '../../src/artifacts/manifest.ts';
import { sha256File } from '../../src/artifacts/manifest.ts';
import { runInstanceConformance } from '../../src/instance/common.case.test.ts';
import { createQemuInstance, type QemuInstance } from '../../src/instance/qemu/index.ts';
import type { Instance } from '../../src/instance/types.ts';
import { parseComponentDocument } from '../../src/toe/document/index.ts';
import { runComponentDocuments } from '../../src/toe/executor/run.ts';
import { runIngot } from '../helpers/cli.ts';
import { diskTestSkip, TEST_DISK_HOME } from '../helpers/disk-tests.ts';

const TOOLS = [
  'qemu-system-x86_64',
  'qemu-img',
  'mkfs.ext4',
  'debugfs',
  'ssh',
  'ssh-keygen',
  'unshare',
  'setpriv',
  'zstd',
];
const skip = await diskTestSkip(TOOLS);

/** A persistent home, so the bootable-disk layer (kernel, GRUB, sshd: minutes of apt) is cached between runs. */
const HOME = TEST_DISK_HOME;
const dir = mkdtempSync(join(tmpdir(), 'ingot-disk-test-'));
const out = join(dir, 'out');
let manifest: OutputManifest | undefined;

/** The component differs on every run (so the outputs are made and tested, not reused from the cache). */
const COMPONENT = `name: disk-test-file
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: WriteConfig
        action: ExecuteBash
        inputs:
          commands: ['echo "built by ingot" > /etc/ingot-disk-test', 'echo ${randomUUID()} > /etc/ingot-disk-test-run']
  - name: test
    steps:
      - name: InTheVm
        action: ExecuteBash
        inputs:
          commands:
            - grep -q 'built by ingot' /etc/ingot-disk-test
            - '[ "$(cat /proc/1/comm)" = systemd ]'
            - findmnt -n -o FSTYPE / | grep -qx ext4
            - lsblk -dbno SIZE,TYPE | grep -qx '1073741824 disk'
`;

after(() => rmSync(dir, { recursive: true, force: true }));

test('ingot build --format writes every disk format, checked, and tests the image booted under qemu', {
  skip,
  timeout: 40 * 60_000,
}, async (t) => {
  mkdirSync(HOME, { recursive: true });
  writeFileSync(join(dir, 'component.yml'), COMPONENT);
  writeFileSync(
    join(dir, 'recipe.yml'),
    `name: disk-test
version: 1.0.0
parentImage: debian-12
blockDeviceMappings:
  - deviceName: /dev/xvda
    ebs: { volumeSize: 3 }
  - deviceName: /dev/xvdb
    ebs: { volumeSize: 1 }
components:
  - uri: ./component.yml
  - uri: simple-boot-test-linux
  - uri: reboot-test-linux
`,
  );
  const r = await runIngot(
    ['build', join(dir, 'recipe.yml'), '--output', out, '--format', 'raw,qcow2,vmdk,vhdx,vhd'],
    { INGOT_HOME: HOME },
    40 * 60_000,
  );
  assert.equal(r.code, 0, r.stderr.slice(-4000));
  // The test instance has the recipe's extra volume, as an EC2 instance launched from the AMI has (the component checks lsblk).
  assert.match(r.stderr, /booted disk\.raw under qemu \(bios, with empty data volumes of 1 GiB\)/);
  manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as OutputManifest;
  assert.equal(manifest.tests, 'passed');
  const formats = manifest.artifacts.map((a) => a.format).sort();
  assert.deepEqual(formats, [
    'disk-qcow2',
    'disk-raw',
    'disk-vhd',
    'disk-vhdx',
    'disk-vmdk',
    'volume-xvdb-qcow2',
    'volume-xvdb-raw',
    'volume-xvdb-vhd',
    'volume-xvdb-vhdx',
    'volume-xvdb-vmdk',
  ]);
  for (const a of manifest.artifacts) {
    assert.equal(await sha256File(join(out, a.path)), a.sha256, `${a.path} sha256`);
    const fmt = { raw: 'raw', qcow2: 'qcow2', vmdk: 'vmdk', vhdx: 'vhdx', vhd: 'vpc' }[a.format.split('-').pop()!]!;
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', '-f', fmt, join(out, a.path)], { encoding: 'utf8' }),
    ) as { 'virtual-size': number };
    assert.equal(info['virtual-size'], (a.format.startsWith('disk-') ? 3 : 1) * 2 ** 30, a.path);
    if (['qcow2', 'vmdk', 'vhdx'].includes(fmt)) execFileSync('qemu-img', ['check', '-f', fmt, join(out, a.path)]);
  }
  assert.ok((manifest.stages['test'] ?? 0) > 0, 'the test stage ran');
  t.diagnostic(
    `stages (ms): ${JSON.stringify(manifest.stages)}; ${manifest.artifacts.map((a) => `${a.path} ${(a.sizeBytes / 2 ** 20).toFixed(0)} MiB`).join(', ')}`,
  );
  assert.ok(!readdirSync(out).some((f) => f.endsWith('.tar.zst')), 'no rootfs tarball when disks are asked for');
});

describe('qemu instance booted from the built disk', { skip }, () => {
  let vm: QemuInstance | undefined;
  before(
    async () => {
      assert.ok(manifest, 'the disk build failed');
      vm = await createQemuInstance({ disk: join(out, 'disk.qcow2'), diskFormat: 'qcow2', workDir: dir });
    },
    { timeout: 15 * 60_000 },
  );
  after(async () => {
    await vm?.close();
    assert.ok(!existsSync(vm?.consoleLog ?? '/nonexistent'), 'close() removes the overlay dir');
    const left = spawnSync('pgrep', ['-a', '-f', dir], { encoding: 'utf8' }).stdout.trim();
    assert.equal(left, '', 'no qemu or ssh process outlives close()');
  });

  /** The conformance cases share one booted VM: close() of a lease does not stop it. */
  const lease = async (): Promise<Instance> => {
    const v = vm!;
    return {
      kind: v.kind,
      id: v.id,
      exec: (p) => v.exec(p),
      copyIn: (a, b) => v.copyIn(a, b),
      copyOut: (a, b) => v.copyOut(a, b),
      reboot: () => v.reboot(),
      close: async () => {},
    };
  };
  runInstanceConformance({
    name: 'qemu',
    newInstance: lease,
    skip: [
      {
        reason:
          "a real VM reboot under TCG takes far longer than the suite's 5 s bound; the Reboot-step test below reboots this VM for real",
        tests: ['reboot ends processes and keeps files'],
      },
    ],
  });

  test('a component with a Reboot step completes in the VM (a new boot, files kept)', {
    timeout: 15 * 60_000,
  }, async () => {
    const doc = `name: reboot-in-vm
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Before
        action: ExecuteBash
        inputs:
          commands: ['cat /proc/sys/kernel/random/boot_id > /root/boot-before']
      - name: Restart
        action: Reboot
        inputs: { delaySeconds: 0 }
      - name: After
        action: ExecuteBash
        inputs:
          commands: ['[ "$(cat /proc/sys/kernel/random/boot_id)" != "$(cat /root/boot-before)" ]', 'echo rebooted > /root/boot-after']
`;
    const parsed = parseComponentDocument(doc, { fileName: 'reboot-in-vm.yml' });
    assert.ok(parsed.ok);
    const result = await runComponentDocuments({
      instance: vm!,
      documents: [{ filePath: 'reboot-in-vm.yml', document: parsed.document }],
      phases: ['build'],
      outputDir: join(dir, 'toe'),
    });
    assert.equal(result.status, 'success', result.failureMessage);
    assert.equal((await vm!.exec({ argv: ['cat', '/root/boot-after'] })).stdout, 'rebooted\n');
  });
});

test('importDisk turns a built disk back into a parent image (rootfs tarball, setuid bits kept)', {
  skip,
  timeout: 10 * 60_000,
}, async () => {
  assert.ok(manifest, 'the disk build failed');
  const imported = await importDisk(join(out, 'disk.vmdk'), join(dir, 'imported'));
  assert.equal(imported.sourceFormat, 'vmdk');
  assert.equal(
    imported.partitionOffset,
    64 * 1024 * 1024,
    'the root partition after the BIOS boot partition and the ESP',
  );
  const listing = execFileSync('sh', ['-c', `zstd -dc '${imported.parentImage}' | tar -tvf -`], {
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  const line = (path: string) => listing.split('\n').find((l) => l.endsWith(` ./${path}`)) ?? `${path} missing`;
  assert.match(line('etc/ingot-disk-test'), /^-rw-r--r-- 0\/0 /);
  assert.match(line('usr/bin/passwd'), /^-rwsr-xr-x 0\/0 /, 'setuid bit restored');
  await assert.rejects(
    importDisk(join(dir, 'recipe.yml'), join(dir, 'bad')),
    /not a disk image|not importable|not an ext/,
  );
});

test('an OVA-only rebuild after a one-file change tests the disk it wrote (the qcow2 overlay of the kept disk)', {
  skip,
  timeout: 30 * 60_000,
}, async () => {
  const ovaDir = join(dir, 'ova-only');
  mkdirSync(ovaDir, { recursive: true });
  const run = randomUUID();
  const step = (name: string, command: string) =>
    `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands: [${JSON.stringify(command)}]\n  - name: test\n    steps:\n      - name: InTheVm\n        action: ExecuteBash\n        inputs:\n          commands: ['test -s /etc/${name}']\n`;
  writeFileSync(join(ovaDir, 'lower.yml'), step('ova-lower', `echo ${run} > /etc/ova-lower`));
  writeFileSync(
    join(ovaDir, 'recipe.yml'),
    `name: ova-only\nversion: 1.0.0\nparentImage: debian-12\nblockDeviceMappings:\n  - deviceName: /dev/xvda\n    ebs: { volumeSize: 3 }\ncomponents:\n  - uri: ./lower.yml\n  - uri: ./top.yml\n`,
  );
  const build = async (revision: number) => {
    writeFileSync(join(ovaDir, 'top.yml'), step('ova-top', `echo ${run}-${revision} > /etc/ova-top`));
    const r = await runIngot(
      ['build', join(ovaDir, 'recipe.yml'), '--output', join(ovaDir, 'out'), '--format', 'ova'],
      { INGOT_HOME: HOME },
      15 * 60_000,
    );
    assert.equal(r.code, 0, r.stderr.slice(-4000));
    const built = JSON.parse(readFileSync(join(ovaDir, 'out', 'manifest.json'), 'utf8')) as OutputManifest;
    assert.equal(built.tests, 'passed');
    return r.stdout + r.stderr;
  };
  await build(1);
  const second = await build(2);
  assert.match(second, /applied in a qcow2 overlay over it/, 'the second build wrote the overlay of the kept disk');
});
