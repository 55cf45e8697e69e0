/**
 * @module Issue 5's "a component with a Reboot step completes in a qemu build instance", end to
 * end: `ingot build --instance-type ingot.vm.small` runs a component that exits 194, reboots with
 * a Reboot step, enables a systemd service and resolves names (apt-get update) inside a VM booted under qemu; its changes become
 * one layer of the image (a write, a chmod, a removal), the throwaway SSH key stays out, and the
 * test phase runs in a fresh VM booted from the image. Then the same recipe through the API with an
 * infrastructure configuration of type ingot.vm.small and a distribution configuration that exports
 * VMDK (s3ExportConfiguration) and qcow2 (tag ingot:disk-formats): the VM layer comes from the
 * cache and the test phase boots the exported disk.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runIngot, TEST_BASES_HOME } from '../helpers/cli.ts';
import { startTestServer, TEST_ACCOUNT } from '../helpers/server.ts';
import { buildLogText } from '../helpers/build-log.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs, qemu)' : false;
const fixtures = fileURLToPath(new URL('../fixtures/vm-build', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'ingot-vm-build-'));
after(() => rmSync(home, { recursive: true, force: true }));

const listing = (tarball: string) =>
  execFileSync('sh', ['-c', `zstd -dc '${tarball}' | tar -tvf -`], {
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  }).split('\n');
const entry = (lines: string[], path: string) =>
  lines.find((l) => l.endsWith(` ./${path}`) || l.includes(` ./${path} -> `));

test('ingot build --instance-type ingot.vm.small: exit 194, a Reboot step and a systemd service in a qemu build instance', {
  skip,
  timeout: 40 * 60_000,
}, async () => {
  const out = join(home, 'cli-out');
  const r = await runIngot(
    ['build', join(fixtures, 'recipe.yml'), '--instance-type', 'ingot.vm.small', '--output', out],
    { INGOT_HOME: home },
    40 * 60_000,
  );
  assert.equal(r.code, 0, r.stderr.slice(-4000));
  assert.match(r.stderr, /on a qemu VM \(ingot\.vm\.small/);
  assert.match(r.stderr, /continuing at the same step/, 'exit code 194 rebooted the VM');
  assert.match(r.stderr, /requested by step Restart/, 'the Reboot step rebooted the VM');
  assert.match(r.stderr, /captured the VM's changes/);
  assert.match(r.stderr, /==> test: a fresh VM booted from the image/);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    tests: string;
    layers: { component: string; cached: boolean }[];
  };
  assert.equal(manifest.tests, 'passed');
  assert.deepEqual(
    manifest.layers.map((l) => l.component),
    ['ingot-bootable-disk', 'qemu build instance: needs-a-boot'],
  );
  const files = listing(join(out, 'rootfs.tar.zst'));
  assert.ok(entry(files, 'etc/ingot-vm-built'), 'the file written after the reboot is in the image');
  assert.match(entry(files, 'etc/issue') ?? 'missing', /^-rw------- 0\/0 /, 'the chmod made in the VM is in the image');
  assert.equal(entry(files, 'etc/motd'), undefined, 'the file removed in the VM is gone from the image');
  assert.ok(entry(files, 'etc/systemd/system/multi-user.target.wants/ingot-hello.service'), 'the service is enabled');
  assert.equal(entry(files, 'var/lib/ingot-firstboot/instance-id'), undefined, 'per-boot state is not captured');
  const resolv = execFileSync(
    'sh',
    ['-c', `zstd -dc '${join(out, 'rootfs.tar.zst')}' | tar -xOf - ./etc/resolv.conf 2>/dev/null || true`],
    { encoding: 'utf8' },
  );
  assert.doesNotMatch(resolv, /10\.0\.2\.3/, "the build VM's resolver is not in the image");
  assert.deepEqual(
    files.filter((l) => l.includes('./etc/ssh/ssh_host_')),
    [],
    'the SSH host keys the build VM made are not in the image',
  );
  const keys = execFileSync(
    'sh',
    ['-c', `zstd -dc '${join(out, 'rootfs.tar.zst')}' | tar -xOf - ./root/.ssh/authorized_keys 2>/dev/null || true`],
    { encoding: 'utf8' },
  );
  assert.doesNotMatch(keys, /ingot-instance/, "the build instance's throwaway SSH key is not in the image");
});

test('CreateImage with an ingot.vm.small infrastructure configuration: its own VM layer (caches are per account), VMDK + qcow2 exported, tested by booting the disk', {
  skip,
  timeout: 30 * 60_000,
}, async () => {
  process.env['INGOT_BASES_HOME'] = TEST_BASES_HOME;
  const t = await startTestServer({ worker: true, home });
  try {
    const c = t.client();
    let n = 0;
    const token = () => `vm-build-${++n}`;
    const comp = await c.send(
      new ib.CreateComponentCommand({
        name: 'needs-a-boot',
        semanticVersion: '1.0.0',
        platform: 'Linux',
        data: readFileSync(join(fixtures, 'needs-a-boot.yml'), 'utf8'),
        clientToken: token(),
      }),
    );
    const recipe = await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'vm-built',
        semanticVersion: '1.0.0',
        parentImage: 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x',
        components: [{ componentArn: comp.componentBuildVersionArn! }],
        clientToken: token(),
      }),
    );
    await assert.rejects(
      c.send(
        new ib.CreateInfrastructureConfigurationCommand({
          name: 'vm-bad',
          instanceProfileName: 'ingot',
          instanceTypes: ['ingot.vm.huge'],
          clientToken: token(),
        }),
      ),
      (err: Error & { $metadata?: { httpStatusCode?: number } }) =>
        err.name === 'InvalidParameterValueException' &&
        err.$metadata?.httpStatusCode === 400 &&
        /ingot\.vm\.huge/.test(err.message),
    );
    const infra = await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'vm-infra',
        instanceProfileName: 'ingot',
        instanceTypes: ['ingot.vm.small'],
        clientToken: token(),
      }),
    );
    const dist = await c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: 'vm-dist',
        clientToken: token(),
        tags: { 'ingot:disk-formats': 'qcow2' },
        distributions: [
          {
            region: 'us-east-1',
            s3ExportConfiguration: { roleName: 'vmimport', diskImageFormat: 'VMDK', s3Bucket: 'exports' },
          },
        ],
      }),
    );
    const created = await c.send(
      new ib.CreateImageCommand({
        imageRecipeArn: recipe.imageRecipeArn!,
        infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
        distributionConfigurationArn: dist.distributionConfigurationArn!,
        clientToken: token(),
      }),
    );
    const arn = created.imageBuildVersionArn!;
    const deadline = Date.now() + 30 * 60_000;
    let image: ib.Image;
    for (;;) {
      image = (await c.send(new ib.GetImageCommand({ imageBuildVersionArn: arn }))).image!;
      if (['AVAILABLE', 'FAILED', 'CANCELLED'].includes(image.state?.status ?? '')) break;
      assert.ok(Date.now() < deadline, `image still ${image.state?.status}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const dir = join(home, 'images/us-east-1', TEST_ACCOUNT, 'vm-built/1.0.0/1');
    const log = await buildLogText(t.server.store, arn);
    assert.equal(image.state?.status, 'AVAILABLE', `${image.state?.reason}\n${log.slice(-3000)}`);
    assert.match(log, /build instance: qemu VM ingot\.vm\.small \(1 vCPUs, 1024 MiB\)/);
    // Cached layers are scoped by account (issue 13): the account's build does not take the layer
    // the unscoped CLI build made on this machine, it builds its own in the VM.
    assert.match(
      log,
      /\[qemu build instance: needs-a-boot\] build: success/,
      "the account's build made its own VM layer, not the CLI build's",
    );
    assert.doesNotMatch(log, /\[qemu build instance: needs-a-boot\] build: cached/);
    assert.match(log, /==> test: the disk image booted under qemu/);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      artifacts: { format: string; sha256: string }[];
    };
    assert.deepEqual(manifest.artifacts.map((a) => a.format).sort(), ['disk-qcow2', 'disk-vmdk']);
    for (const a of manifest.artifacts) assert.match(a.sha256, /^[0-9a-f]{64}$/);
  } finally {
    await t.stop();
  }
});
