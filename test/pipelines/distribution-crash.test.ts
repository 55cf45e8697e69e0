/**
 * @module Distribution is all or nothing, also across a crash (issue 13 item 10): a failure in the second
 * region removes the first region's copy (and its staging directory) at once; a distribution killed with
 * SIGKILL after its first region leaves a journal that `reapDistributionLeftovers` undoes when the image
 * is FAILED, keeps when the image became AVAILABLE, and leaves alone while the image is still in progress;
 * end to end, a server killed with -9 during a distribution removes the FAILED image's copy when it starts again.
 */
import assert from 'node:assert/strict';
import * as ib from '@aws-sdk/client-imagebuilder';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeFakeRootfsOutput } from '../helpers/fake-output.ts';
import type { OutputManifest } from '../../src/artifacts/manifest.ts';
import type { IngotConfig } from '../../src/config/ingot-config.ts';
import { distribute, DistributionFailed, siteKeyOf, type DistributeInput } from '../../src/distribution/distribute.ts';
import { journalDir } from '../../src/distribution/journal.ts';
import { reapDistributionLeftovers } from '../../src/distribution/leftovers.ts';
import type { ImageStatus } from '../../src/model/generated/shapes.ts';
import { INGOT_BIN } from '../helpers/cli.ts';
import { TEST_KEY } from '../helpers/server.ts';
import { tarRootfs, tinyRootfs } from '../helpers/tiny-rootfs.ts';

const ACCOUNT = '123456789012';
let dir = '';
let outputDir = '';
let manifest: OutputManifest;
let blackHole: Server;
let blackHoleUrl = '';
const sockets = new Set<Socket>();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-dist-crash-'));
  outputDir = join(dir, 'out');
  manifest = await writeFakeRootfsOutput(outputDir, 'crash');
  // An "S3 endpoint" that accepts connections and never answers: the second region hangs there.
  blackHole = createServer((s) => sockets.add(s));
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
  const addr = blackHole.address();
  blackHoleUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
after(() => {
  for (const s of sockets) s.destroy();
  blackHole?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function inputFor(home: string, build: number, config: IngotConfig): DistributeInput {
  const arn = `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:image/crash/1.0.0/${build}`;
  return {
    home,
    config,
    image: { arn, name: 'crash', version: `1.0.0/${build}`, type: 'AMI', dateCreated: new Date().toISOString() },
    distributions: [{ region: 'us-east-1' }, { region: 'us-west-2' }],
    outputDir,
    manifest,
    account: ACCOUNT,
    region: 'us-east-1',
  };
}

/** Everything below the account's part of the first region's site except blobs. */
const copiesIn = (home: string): string[] => {
  const images = join(home, 'regions', 'us-east-1', ACCOUNT, 'images', 'us-east-1');
  return existsSync(images) ? readdirSync(images) : [];
};

test('a failure in the second region removes the first region copy and its staging directory', async () => {
  const home = join(dir, 'home-fail');
  const notADir = join(dir, 'file-not-dir');
  writeFileSync(notADir, '');
  const config: IngotConfig = { sites: { 'us-west-2': { directory: join(notADir, 'site') } } };
  const err = await distribute(inputFor(home, 1, config)).catch((e: unknown) => e);
  assert.ok(err instanceof DistributionFailed, String(err));
  assert.equal(err.target, 'region us-west-2');
  assert.deepEqual(copiesIn(home), [], 'the first region keeps no copy, staged or committed');
  assert.deepEqual(readdirSync(journalDir(home)), [], 'the journal is gone once undone');
});

test('a committed distribution leaves the copy under its final name and nothing staged', async () => {
  const home = join(dir, 'home-ok');
  const input = { ...inputFor(home, 2, {}), distributions: [{ region: 'us-east-1' }] };
  await distribute(input);
  const id = siteKeyOf(input.image.arn!).split('/')[1]!;
  assert.deepEqual(copiesIn(home), [id]);
  assert.deepEqual(readdirSync(join(home, 'regions/us-east-1', ACCOUNT, 'images/us-east-1', id)).sort(), [
    'manifest.json',
    'rootfs.tar.zst',
  ]);
});

/** Starts a distribution in a child process, waits until the first region is committed, and SIGKILLs it. */
async function killAfterFirstRegion(home: string, build: number): Promise<void> {
  const config: IngotConfig = {
    sites: {
      'us-west-2': { s3: { endpoint: blackHoleUrl, bucket: 'b', accessKeyId: 'k', secretAccessKey: 's' } },
    },
  };
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '../helpers/distribute-child.ts'), JSON.stringify(inputFor(home, build, config))],
    { stdio: 'ignore' },
  );
  const id = siteKeyOf(inputFor(home, build, config).image.arn!).split('/')[1]!;
  const deadline = Date.now() + 20_000;
  while (!copiesIn(home).includes(id)) {
    assert.ok(Date.now() < deadline, 'the first region was never committed');
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300)); // now hanging in the second region
  assert.equal(child.exitCode, null, 'the child still runs when it is killed');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

test('kill -9 after the first region: recovery removes the copy of an image that is not AVAILABLE', {
  timeout: 60_000,
}, async () => {
  const home = join(dir, 'home-kill');
  await killAfterFirstRegion(home, 3);
  assert.equal(copiesIn(home).length, 1, 'the crash left the first region copy');
  assert.equal(readdirSync(journalDir(home)).length, 1, 'and a journal naming it');
  let status: ImageStatus | undefined = 'DISTRIBUTING';
  const statusOf = async () => status;
  assert.deepEqual(await reapDistributionLeftovers(home, {}, statusOf), [], 'an image in progress is left alone');
  assert.equal(copiesIn(home).length, 1);
  status = 'FAILED'; // what recoverInterruptedBuilds makes of it
  const undone = await reapDistributionLeftovers(home, {}, statusOf);
  assert.equal(undone.length, 1);
  assert.deepEqual(copiesIn(home), [], 'the FAILED image has no copy left on the site');
  assert.deepEqual(readdirSync(journalDir(home)), []);
});

test('kill -9 after the distribution finished but before the journal was dropped: an AVAILABLE image keeps its copy', {
  timeout: 60_000,
}, async () => {
  const home = join(dir, 'home-available');
  await killAfterFirstRegion(home, 4);
  assert.deepEqual(await reapDistributionLeftovers(home, {}, async () => 'AVAILABLE'), []);
  assert.equal(copiesIn(home).length, 1, 'the copy of an AVAILABLE image stays');
  assert.deepEqual(readdirSync(journalDir(home)), [], 'its journal is dropped');
});

test('a server killed with -9 during distribution: after its restart the FAILED image has no copy on any site', {
  skip: process.getuid?.() !== 0 ? 'needs root (sandbox builds)' : false,
  timeout: 240_000,
}, async () => {
  const home = join(dir, 'home-server');
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(home, 'config.json'),
    JSON.stringify({
      sites: { 'us-west-2': { s3: { endpoint: blackHoleUrl, bucket: 'b', accessKeyId: 'k', secretAccessKey: 's' } } },
    }),
  );
  tinyRootfs(join(dir, 'tiny'), { dpkg: true });
  const parentImage = join(dir, 'tiny.tar.zst');
  tarRootfs(join(dir, 'tiny'), parentImage);
  const env = {
    ...process.env,
    INGOT_HOME: home,
    INGOT_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
    INGOT_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
    INGOT_ACCOUNT_ID: ACCOUNT,
    INGOT_MIN_FREE_GIB: '0',
  };
  const start = () =>
    new Promise<{ proc: ChildProcess; client: ib.ImagebuilderClient }>((resolve, reject) => {
      const proc = spawn(INGOT_BIN, ['server', '--port', '0', '--quiet'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      proc.stdout!.on('data', (d: Buffer) => {
        const m = /listening on (http:\/\/\S+)/.exec(d.toString());
        if (m)
          resolve({
            proc,
            client: new ib.ImagebuilderClient({
              endpoint: m[1]!,
              region: 'us-east-1',
              credentials: TEST_KEY,
              maxAttempts: 1,
            }),
          });
      });
      proc.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
  const first = await start();
  let second: Awaited<ReturnType<typeof start>> | undefined;
  try {
    const c = first.client;
    const { componentBuildVersionArn } = await c.send(
      new ib.CreateComponentCommand({
        name: 'hello',
        semanticVersion: '1.0.0',
        platform: 'Linux',
        data: 'name: hello\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: s\n        action: ExecuteBash\n        inputs:\n          commands: ["echo hello > /hello"]\n',
        clientToken: 'c1',
      }),
    );
    const { imageRecipeArn } = await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'crash',
        semanticVersion: '1.0.0',
        parentImage,
        components: [{ componentArn: componentBuildVersionArn }],
        clientToken: 'r1',
      }),
    );
    const { infrastructureConfigurationArn } = await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'crash',
        instanceProfileName: 'ingot',
        clientToken: 'i1',
      }),
    );
    const { distributionConfigurationArn } = await c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: 'crash',
        distributions: [
          { region: 'us-east-1', amiDistributionConfiguration: {} },
          { region: 'us-west-2', amiDistributionConfiguration: {} },
        ],
        clientToken: 'd1',
      }),
    );
    const { imageBuildVersionArn } = await c.send(
      new ib.CreateImageCommand({
        imageRecipeArn,
        infrastructureConfigurationArn,
        distributionConfigurationArn,
        enhancedImageMetadataEnabled: false,
        clientToken: 'x1',
      }),
    );
    const id = siteKeyOf(imageBuildVersionArn!).split('/')[1]!;
    const deadline = Date.now() + 180_000;
    while (!copiesIn(home).includes(id)) {
      const state = (await c.send(new ib.GetImageCommand({ imageBuildVersionArn }))).image?.state;
      assert.ok(
        state?.status !== 'FAILED' && state?.status !== 'AVAILABLE',
        `the image is ${state?.status}: ${state?.reason}`,
      );
      assert.ok(Date.now() < deadline, `the first region was never committed (image ${state?.status})`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 300)); // hanging in us-west-2 now
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    assert.deepEqual(copiesIn(home), [id], 'the crash left the first region copy');

    second = await start();
    const image = (await second.client.send(new ib.GetImageCommand({ imageBuildVersionArn }))).image!;
    assert.equal(image.state?.status, 'FAILED');
    assert.match(image.state?.reason ?? '', /Interrupted/);
    // Its worker's first reap tick (in the background: the second region's site never answers).
    for (let i = 0; i < 100 && copiesIn(home).length > 0; i++) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(copiesIn(home), [], 'the restarted server removed the FAILED image copy');
  } finally {
    first.proc.kill('SIGKILL');
    second?.proc.kill('SIGKILL');
  }
});
