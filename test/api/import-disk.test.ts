/**
 * @module ImportDiskImage end to end, with a real server, worker and disk: a tiny root file
 * system (the host's bash and a few tools with their libraries) made into an MBR disk with
 * `mkfs.ext4 -d` at the partition's offset, converted to qcow2 and vmdk with qemu-img; imported
 * through the SDK, then used as the parentImage of a recipe built through the API. Also the
 * request-time checks, ImportVmImage's refusal and the `ingot import-disk` verb.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { runIngot } from '../helpers/cli.ts';
import { makeDisk, tinyRootfs } from '../helpers/tiny-rootfs.ts';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/server.ts';

const hasTools = ['qemu-img', 'mkfs.ext4', 'debugfs', 'zstd'].every((t) => {
  try {
    execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
const skip =
  process.getuid?.() !== 0
    ? 'needs root (namespaces, overlayfs)'
    : !hasTools
      ? 'needs qemu-img, mkfs.ext4, debugfs and zstd'
      : false;

let t: TestServer;
let c: ib.ImagebuilderClient;
let dir: string;
let qcow2: string;
let vmdk: string;
let notADisk: string;
let infraArn: string;
let n = 0;
const ct = () => `import-disk-${++n}`;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'ingot-import-'));
  tinyRootfs(join(dir, 'root'), { dpkg: false });
  chmodSync(join(dir, 'root/bin/ls'), 0o4755);
  makeDisk(join(dir, 'root'), join(dir, 'disk.raw'));
  qcow2 = join(dir, 'golden.qcow2');
  vmdk = join(dir, 'golden.vmdk');
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', join(dir, 'disk.raw'), qcow2]);
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', join(dir, 'disk.raw'), vmdk]);
  notADisk = join(dir, 'notes.txt');
  writeFileSync(notADisk, 'this is not a disk\n'.repeat(100));
  t = await startTestServer({ worker: true });
  c = t.client();
  infraArn = (
    await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'import-infra',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
});
after(async () => {
  if (skip) return;
  await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(arn: string, timeoutMs = 120_000): Promise<ib.Image> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const image = (await c.send(new ib.GetImageCommand({ imageBuildVersionArn: arn }))).image!;
    if (['AVAILABLE', 'FAILED', 'CANCELLED'].includes(image.state?.status ?? '')) return image;
    if (Date.now() > deadline) throw new Error(`image ${arn} still ${image.state?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const tarList = (file: string) => execFileSync('tar', ['--zstd', '-tvf', file], { encoding: 'utf8' });
const tarCat = (file: string, member: string) =>
  execFileSync('tar', ['--zstd', '-xOf', file, member], { encoding: 'utf8' });
const importRequest = (over: Partial<ib.ImportDiskImageRequest> = {}): ib.ImportDiskImageRequest => ({
  name: 'golden-disk',
  semanticVersion: '1.0.0',
  platform: 'Linux',
  osVersion: 'Debian 12',
  infrastructureConfigurationArn: infraArn,
  uri: pathToFileURL(qcow2).href,
  clientToken: ct(),
  ...over,
});

test('ImportDiskImage of a qcow2 disk → AVAILABLE IMPORTED image → parentImage of a recipe built through the API', {
  skip,
}, async () => {
  const request = importRequest({ tags: { source: 'golden' } });
  const { imageBuildVersionArn: arn } = await c.send(new ib.ImportDiskImageCommand(request));
  assert.equal(arn, `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:image/golden-disk/1.0.0/1`);
  // The same clientToken and parameters: the first answer; other parameters: a mismatch.
  assert.equal((await c.send(new ib.ImportDiskImageCommand(request))).imageBuildVersionArn, arn);
  await assert.rejects(c.send(new ib.ImportDiskImageCommand({ ...request, uri: vmdk })), {
    name: 'IdempotentParameterMismatchException',
  });

  const image = await waitFor(arn!);
  assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
  assert.equal(image.type, 'AMI');
  assert.equal(image.imageSource, 'IMPORTED');
  assert.equal(image.buildType, 'IMPORT_ISO');
  assert.equal(image.platform, 'Linux');
  assert.equal(image.osVersion, 'Debian 12');
  assert.deepEqual(image.tags, { source: 'golden' });
  assert.deepEqual(
    image.outputResources?.amis?.map((a) => a.region),
    ['us-east-1'],
  );
  const out = join(t.home, 'images/us-east-1', TEST_ACCOUNT, 'golden-disk/1.0.0/1');
  const listing = tarList(join(out, 'rootfs.tar.zst'));
  assert.match(listing, /^-rwsr-xr-x 0\/0 .* \.\/bin\/ls$/m, 'setuid bit and owner kept');
  assert.equal(tarCat(join(out, 'rootfs.tar.zst'), './etc/golden.txt'), 'hello-from-tiny\n');
  assert.ok(existsSync(join(out, 'manifest.json')));
  const summaries = (await c.send(new ib.ListImageBuildVersionsCommand({ imageVersionArn: arn!.replace(/\/1$/, '') })))
    .imageSummaryList!;
  assert.deepEqual(
    summaries.map((s) => [s.imageSource, s.buildType]),
    [['IMPORTED', 'IMPORT_ISO']],
  );

  // A recipe on the imported image, with a component that reads a file of the disk.
  const data =
    'name: on-golden\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Copy\n        action: ExecuteBash\n        inputs:\n          commands:\n            - cat /etc/golden.txt > /etc/built-on-import\n';
  const comp = await c.send(
    new ib.CreateComponentCommand({
      name: 'on-golden',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data,
      clientToken: ct(),
    }),
  );
  const recipe = await c.send(
    new ib.CreateImageRecipeCommand({
      name: 'on-golden',
      semanticVersion: '1.0.0',
      parentImage: arn!,
      components: [{ componentArn: comp.componentBuildVersionArn! }],
      clientToken: ct(),
    }),
  );
  const built = await c.send(
    new ib.CreateImageCommand({
      imageRecipeArn: recipe.imageRecipeArn!,
      infrastructureConfigurationArn: infraArn,
      clientToken: ct(),
    }),
  );
  const child = await waitFor(built.imageBuildVersionArn!, 300_000);
  assert.equal(child.state?.status, 'AVAILABLE', child.state?.reason);
  const childRootfs = join(t.home, 'images/us-east-1', TEST_ACCOUNT, 'on-golden/1.0.0/1/rootfs.tar.zst');
  assert.equal(tarCat(childRootfs, './etc/built-on-import'), 'hello-from-tiny\n');
  assert.match(tarList(childRootfs), /\.\/bin\/bash$/m);
});

test('ImportDiskImage of a vmdk by absolute path; a file that is no disk ends FAILED with the reason, also on RetryImage', {
  skip,
}, async () => {
  const vm = await c.send(
    new ib.ImportDiskImageCommand(importRequest({ name: 'golden-vmdk', semanticVersion: '2.0.0', uri: vmdk })),
  );
  const bad = await c.send(new ib.ImportDiskImageCommand(importRequest({ name: 'not-a-disk', uri: notADisk })));
  const image = await waitFor(vm.imageBuildVersionArn!);
  assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
  assert.equal(
    tarCat(join(t.home, 'images/us-east-1', TEST_ACCOUNT, 'golden-vmdk/2.0.0/1/rootfs.tar.zst'), './etc/golden.txt'),
    'hello-from-tiny\n',
  );
  const failed = await waitFor(bad.imageBuildVersionArn!);
  assert.equal(failed.state?.status, 'FAILED');
  assert.match(failed.state?.reason ?? '', /^Import of .*notes\.txt failed: .*not an ext2\/3\/4 file system/);
  await c.send(new ib.RetryImageCommand({ imageBuildVersionArn: bad.imageBuildVersionArn!, clientToken: ct() }));
  const again = await waitFor(bad.imageBuildVersionArn!);
  assert.equal(again.state?.status, 'FAILED');
  assert.match(again.state?.reason ?? '', /notes\.txt failed: .*not an ext2\/3\/4 file system/);
});

test('ImportDiskImage checks uri, platform and the infrastructure configuration at request time; ImportVmImage points to it', {
  skip,
}, async () => {
  const vdi = join(dir, 'other.vdi');
  execFileSync('qemu-img', ['create', '-q', '-f', 'vdi', vdi, '1M']);
  const cases: [Partial<ib.ImportDiskImageRequest>, string, RegExp][] = [
    [{ uri: 'golden.qcow2' }, 'InvalidParameterValueException', /parameter 'uri'.*not an absolute path/],
    [{ uri: join(dir, 'missing.qcow2') }, 'InvalidParameterValueException', /parameter 'uri'.*does not exist/],
    [
      { uri: `file://${join(dir, 'missing.qcow2')}` },
      'InvalidParameterValueException',
      /parameter 'uri'.*does not exist/,
    ],
    [{ uri: 's3://bucket/golden.qcow2' }, 'InvalidParameterValueException', /parameter 'uri'.*S3 URI/],
    [
      { uri: 'https://example.com/golden.qcow2' },
      'InvalidParameterValueException',
      /parameter 'uri'.*absolute path .* or a file:\/\/ URL/,
    ],
    [{ uri: dir }, 'InvalidParameterValueException', /parameter 'uri'.*not a regular file/],
    [{ uri: vdi }, 'InvalidParameterValueException', /parameter 'uri'.*is a vdi disk/],
    [{ platform: 'Windows' }, 'InvalidParameterValueException', /parameter 'platform'/],
    [
      {
        infrastructureConfigurationArn: `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:infrastructure-configuration/nope`,
      },
      'ResourceNotFoundException',
      /nope/,
    ],
  ];
  for (const [over, name, message] of cases) {
    await assert.rejects(
      c.send(new ib.ImportDiskImageCommand(importRequest({ name: 'refused', ...over }))),
      (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(err.name, name, `${JSON.stringify(over)}: ${err.message}`);
        assert.match(err.message, message);
        assert.equal(err.$metadata?.httpStatusCode, name === 'ResourceNotFoundException' ? 404 : 400);
        return true;
      },
    );
  }
  const images =
    (await c.send(new ib.ListImagesCommand({ filters: [{ name: 'name', values: ['refused'] }] }))).imageVersionList ??
    [];
  assert.deepEqual(images, [], 'no image is made by a refused request');
  await assert.rejects(
    c.send(
      new ib.ImportVmImageCommand({
        name: 'vm',
        semanticVersion: '1.0.0',
        platform: 'Linux',
        vmImportTaskId: 'import-ami-0123456789abcdef0',
      }),
    ),
    (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, 'ClientException');
      assert.equal(err.$metadata?.httpStatusCode, 400);
      assert.match(err.message, /EC2 VM Import task.*Use ImportDiskImage/);
      return true;
    },
  );
});

test('ingot import-disk: a qcow2 disk to a parentImage tarball; clear errors and exit codes', { skip }, async () => {
  const out = join(dir, 'cli-out');
  const ok = await runIngot(['import-disk', qcow2, '--output', out], { INGOT_HOME: join(dir, 'cli-home') });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, `${join(out, 'rootfs.tar.zst')}\n`);
  assert.match(ok.stderr, /read the qcow2 disk .* \(root file system at byte offset 1048576\)/);
  assert.equal(tarCat(join(out, 'rootfs.tar.zst'), './etc/golden.txt'), 'hello-from-tiny\n');
  assert.ok(statSync(join(out, 'rootfs.tar.zst')).size > 0);

  const notDisk = await runIngot(['import-disk', notADisk, '--output', join(dir, 'cli-bad')], {});
  assert.equal(notDisk.code, 1);
  assert.match(
    notDisk.stderr,
    /^ingot import-disk: InvalidParameterValueException: .*notes\.txt: the root partition \(offset 0\) is not an ext2\/3\/4 file system\n$/,
  );
  assert.equal(existsSync(join(dir, 'cli-bad')), false, 'a failed import removes the output directory it created');
  const nested = await runIngot(['import-disk', notADisk, '--output', join(dir, 'cli-bad-nested/a/b')], {});
  assert.equal(nested.code, 1);
  assert.equal(existsSync(join(dir, 'cli-bad-nested')), false, 'and the parents it created');
  const kept = join(dir, 'cli-kept');
  mkdirSync(kept);
  writeFileSync(join(kept, 'notes'), 'mine\n');
  const intoExisting = await runIngot(['import-disk', notADisk, '--output', kept], {});
  assert.equal(intoExisting.code, 1);
  assert.deepEqual(readdirSync(kept), ['notes'], 'a directory that was there stays, with only what it had');
  const missing = await runIngot(['import-disk', join(dir, 'missing.qcow2')], {});
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing\.qcow2: no such file/);
  const none = await runIngot(['import-disk'], {});
  assert.equal(none.code, 2);
  assert.match(none.stderr, /give exactly one disk image FILE[\s\S]*Usage: ingot import-disk FILE/);
  const help = await runIngot(['import-disk', '--help'], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /parentImage/);
  for (const r of [notDisk, missing, none]) assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
