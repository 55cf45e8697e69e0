/**
 * @module `ingot run`'s argument errors, through the real CLI (no VM is booted): each bad input is
 * one clear line on stderr and exit code 2-ish, never a stack trace; `--help` lists every option
 * the command parses. Plus the SSH key lookup and the OVA's boot disk extraction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userSshKey } from '../../src/cli/run/keys.ts';
import { bootTarget } from '../../src/cli/run/target.ts';
import { FORMATS } from '../../src/disk/formats/index.ts';
import { qemuArgv } from '../../src/instance/qemu/vm.ts';
import { INGOT_BIN, runIngot } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingot-run-cli-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq0d1b2Zt8m1Jg6Kq5w5x4Jrj6pS8Ue6bQdW2mJcPzN me@laptop';

test('ingot run: bad arguments are one clear line each, not a stack trace', async () => {
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const tarOnly = join(dir, 'tar-only');
  mkdirSync(tarOnly);
  writeFileSync(
    join(tarOnly, 'manifest.json'),
    JSON.stringify({
      name: 'web',
      version: '1.0.0',
      artifacts: [{ path: 'rootfs.tar.zst', format: 'rootfs-tar-zstd' }],
    }),
  );
  const cases: [string[], RegExp][] = [
    [[], /give an image build version ARN or an `ingot build` output directory/],
    [[empty, 'uname'], /give one image .*put the command to run after --/],
    [[empty, '--'], /nothing to run after --/],
    [[empty, '--forward', '8080'], /--forward must be HOST:GUEST/],
    [[empty, '--forward', '70000:80'], /--forward HOST must be a whole number from 1 to 65535, not '70000'/],
    [[empty, '--cpus', '0'], /--cpus must be a whole number from 1 to 64/],
    [[empty, '--memory', '100'], /--memory must be at least 256 MiB/],
    [[empty, '--ssh-key', join(dir, 'nope')], /--ssh-key .*nope: no OpenSSH public key there/],
    [[empty, '--bogus'], /Unknown option '--bogus'/],
    [[empty], /is not a build output directory \(no manifest\.json\)/],
    [[tarOnly], /web 1\.0\.0 has no disk image to boot \(rootfs-tar-zstd\); build it with --format qcow2/],
    [['arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/web/1.0.0'], /is not an image build version ARN/],
    [
      ['arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0/1'],
      /no outputs of arn:.*image\/web\/1\.0\.0\/1 in /,
    ],
  ];
  for (const [args, want] of cases) {
    const r = await runIngot(['run', ...args], { INGOT_HOME: join(dir, 'home'), HOME: dir }, 60_000);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, want, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace for ${args.join(' ')}`);
  }
});

test('ingot run --help names every option it parses', async () => {
  const r = await runIngot(['run', '--help'], {}, 60_000);
  assert.equal(r.code, 0);
  for (const opt of [
    '--ssh-key FILE',
    '--forward HOST:GUEST',
    '--cpus N',
    '--memory MIB',
    '-- COMMAND',
    'IMAGE_ARN|OUTPUT_DIR',
  ])
    assert.ok(r.stdout.includes(opt), opt);
  assert.match((await runIngot(['--help'], {}, 60_000)).stdout, /\brun\b.*boot a built disk image/);
});

test("the user's key: --ssh-key (a .pub, or a private key beside one), else ~/.ssh/id_*.pub, else none", async () => {
  const home = join(dir, 'keys');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  assert.equal(await userSshKey(undefined, home), undefined);
  writeFileSync(join(home, '.ssh', 'id_rsa.pub'), 'not a key\n');
  assert.equal(await userSshKey(undefined, home), undefined, 'a file that is not a public key is skipped');
  writeFileSync(join(home, '.ssh', 'id_ecdsa.pub'), `${KEY}\n`);
  assert.deepEqual(await userSshKey(undefined, home), { publicKey: KEY, file: join(home, '.ssh', 'id_ecdsa.pub') });
  writeFileSync(join(home, 'mine'), '-----BEGIN OPENSSH PRIVATE KEY-----\n');
  writeFileSync(join(home, 'mine.pub'), `${KEY}\n`);
  assert.equal((await userSshKey(join(home, 'mine'), home))?.file, join(home, 'mine.pub'));
});

test("an output with only an OVA boots the OVA's first disk", async () => {
  const out = join(dir, 'ova-only');
  mkdirSync(out);
  const raw = join(dir, 'boot.raw');
  execFileSync('truncate', ['-s', '4M', raw]);
  await FORMATS.ova.write({
    disks: [{ path: raw, sizeBytes: 4 * 2 ** 20, name: 'disk', boot: true }],
    out: join(out, 'disk.ova'),
    workDir: dir,
    machine: { name: 'web', cpus: 1, memoryMiB: 512, firmware: 'bios' },
  });
  writeFileSync(
    join(out, 'manifest.json'),
    JSON.stringify({ name: 'web', version: '1.0.0', artifacts: [{ path: 'disk.ova', format: 'disk-ova' }] }),
  );
  const scratch = mkdtempSync(join(dir, 'scratch-'));
  const t = await bootTarget(out, join(dir, 'home'), scratch);
  assert.deepEqual(t, { disk: join(scratch, 'disk-disk1.vmdk'), qemuFormat: 'vmdk', label: 'web 1.0.0' });
  const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', t.disk], { encoding: 'utf8' }));
  assert.equal(info['virtual-size'], 4 * 2 ** 20);
});

test('the VM command line: virtio by default, pvscsi + vmxnet3 or AHCI + e1000 on request, forwarded ports on loopback', () => {
  const spec = {
    baseDisk: 'd.qcow2',
    baseFormat: 'qcow2',
    overlay: 'o.qcow2',
    seedDisk: 's.img',
    consoleLog: 'c.log',
    accel: 'tcg' as const,
    memoryMiB: 512,
    cpus: 1,
  };
  const plain = qemuArgv(spec, 2222).join(' ');
  assert.match(
    plain,
    /-drive file=o\.qcow2,format=qcow2,discard=unmap,if=virtio -drive file=s\.img,format=raw,readonly=on,if=virtio/,
  );
  assert.match(plain, /-netdev user,id=net0,hostfwd=tcp:127\.0\.0\.1:2222-:22 -device virtio-net-pci,netdev=net0/);
  const vmware = qemuArgv(
    { ...spec, devices: { disk: 'pvscsi', nic: 'vmxnet3' }, forwards: [{ host: 8080, guest: 80 }] },
    2222,
  ).join(' ');
  assert.match(
    vmware,
    /-device pvscsi,id=hba0 -drive file=o\.qcow2,format=qcow2,discard=unmap,if=none,id=drive0 -device scsi-hd,drive=drive0,bus=hba0\.0,scsi-id=0/,
  );
  assert.match(vmware, /-device scsi-hd,drive=drive1,bus=hba0\.0,scsi-id=1/);
  assert.match(
    vmware,
    /hostfwd=tcp:127\.0\.0\.1:2222-:22,hostfwd=tcp:127\.0\.0\.1:8080-:80 -device vmxnet3,netdev=net0/,
  );
  assert.doesNotMatch(vmware, /if=virtio/);
  const sata = qemuArgv({ ...spec, devices: { disk: 'ahci', nic: 'e1000' } }, 2222).join(' ');
  assert.match(
    sata,
    /-device ahci,id=hba0 .* -device ide-hd,drive=drive0,bus=hba0\.0 .* -device ide-hd,drive=drive1,bus=hba0\.1/,
  );
  assert.match(sata, /-device e1000,netdev=net0/);
  const withVolume = qemuArgv({ ...spec, dataDisks: [{ file: 'v.qcow2', format: 'qcow2' }] }, 2222).join(' ');
  assert.match(
    withVolume,
    /file=o\.qcow2,.*if=virtio -drive file=v\.qcow2,format=qcow2,discard=unmap,if=virtio -drive file=s\.img,format=raw,readonly=on/,
    'data volumes come right after the boot disk (the first is vdb), the seed last',
  );
});

test("an output's extra volumes are attached to the VM as empty disks of their sizes", async () => {
  const out = join(dir, 'with-volume');
  mkdirSync(out);
  execFileSync('truncate', ['-s', '4M', join(out, 'disk.raw')]);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(out, 'volume-xvdb.qcow2'), '3G']);
  execFileSync('truncate', ['-s', '3G', join(out, 'volume-xvdb.raw')]);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(out, 'volume-xvdc.qcow2'), '1G']);
  const artifacts = [
    ['disk.raw', 'disk-raw'],
    ['volume-xvdb.qcow2', 'volume-xvdb-qcow2'],
    ['volume-xvdb.raw', 'volume-xvdb-raw'],
    ['volume-xvdc.qcow2', 'volume-xvdc-qcow2'],
  ].map(([path, format]) => ({ path, format, sha256: '', sizeBytes: 0 }));
  writeFileSync(join(out, 'manifest.json'), JSON.stringify({ name: 'web', version: '1.0.0', artifacts }));
  const t = await bootTarget(out, join(dir, 'home'), dir);
  assert.deepEqual(t.dataVolumesGiB, [3, 1]);
  assert.equal(t.disk, join(out, 'disk.raw'));
});

const noQemu = spawnSync('which', ['qemu-system-x86_64']).status !== 0 ? 'needs qemu-system-x86_64' : false;

for (const signal of ['SIGTERM', 'SIGHUP'] as const)
  test(`${signal} while the VM boots stops qemu and removes the VM's temporary files`, { skip: noQemu }, async () => {
    const out = join(dir, `unbootable-${signal}`);
    mkdirSync(out);
    execFileSync('truncate', ['-s', '64M', join(out, 'disk.raw')]); // zeros: SeaBIOS finds nothing to boot
    writeFileSync(
      join(out, 'manifest.json'),
      JSON.stringify({ name: 'blank', version: '1.0.0', artifacts: [{ path: 'disk.raw', format: 'disk-raw' }] }),
    );
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const child = spawn(INGOT_BIN, ['run', out, '--', 'true'], {
      env: { ...process.env, TMPDIR: tmp, INGOT_QEMU_ACCEL: 'tcg' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    for (let i = 0; i < 100 && !/booting blank 1\.0\.0/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(stderr, /booting blank 1\.0\.0/);
    await new Promise((r) => setTimeout(r, 1000)); // qemu is running by now
    const qemuBefore = spawnSync('pgrep', ['-f', `qemu-system-x86_64.*${tmp}`], { encoding: 'utf8' }).stdout.trim();
    assert.notEqual(qemuBefore, '', 'qemu runs from the temporary directory');
    child.kill(signal);
    const code = await exited;
    assert.equal(code, 1, stderr);
    assert.match(stderr, /interrupted while the VM booted/);
    const qemuAfter = spawnSync('pgrep', ['-f', `qemu-system-x86_64.*${tmp}`], { encoding: 'utf8' }).stdout.trim();
    assert.equal(qemuAfter, '', 'qemu is gone');
    assert.deepEqual(
      readdirSync(tmp).filter((n) => n.startsWith('ingot-run-')),
      [],
      'the overlay and seed are removed',
    );
  });
