/**
 * @module Issue 17 item 4: a build host (`ingot worker --control-plane`, its own data directory and
 * config) publishes an image straight to the region sites, a directory (us-east-1) and an
 * S3-compatible bucket (eu-west-1, s3rver as the S3 stand-in): the control plane knows no site at
 * all (its config has none), its worker API received far fewer bytes than the image's rootfs (its
 * byte counter, `ingot_worker_api_received_bytes_total`, by operation), and the image's
 * outputResources name the sites, where the artifacts are.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { siteKeyOf } from '../../src/distribution/distribute.ts';
import { S3Bucket } from '../../src/s3/index.ts';
import { INGOT_BIN, TEST_BASES_HOME } from '../helpers/cli.ts';
import { startS3Server, type S3Server } from '../helpers/s3-server.ts';
import {
  BASE,
  createComponent,
  ct,
  type PipelineServer,
  skipUnlessRoot,
  startPipelineServer,
  TEST_ACCOUNT,
  waitForImage,
} from '../pipelines/helpers.ts';

const skip = skipUnlessRoot;
const TOKEN = 'build-host-sites-test-token-0123456789';
/** Random bytes the component writes into the image: its rootfs cannot compress below this. */
const PAYLOAD_MIB = 24;

let root: string;
let server: PipelineServer;
let s3: S3Server;
let bucket: S3Bucket;
let host: ChildProcess | undefined;
let hostOut = '';

before(async () => {
  if (skip) return;
  root = mkdtempSync(join(tmpdir(), 'ingot-host-sites-'));
  s3 = await startS3Server();
  await s3.createBucket('sites');
  bucket = new S3Bucket(s3.endpoint, 'sites');
  // The control plane: no in-process worker, no site in its config.
  server = await startPipelineServer({ worker: false, env: { INGOT_WORKER_TOKEN: TOKEN, INGOT_IMAGE_FORMATS: 'tar' } });
  assert.ok(!existsSync(join(server.home, 'config.json')));
  const hostConfig = join(root, 'host-config.json');
  writeFileSync(
    hostConfig,
    JSON.stringify({
      sites: {
        'us-east-1': { directory: join(root, 'site') },
        'eu-west-1': { s3: { ...s3.endpoint, bucket: 'sites', prefix: 'golden' } },
      },
    }),
  );
  host = spawn(INGOT_BIN, ['worker', '--control-plane', server.server.url, '--id', 'bh-1'], {
    env: {
      ...process.env,
      INGOT_HOME: join(root, 'host'),
      INGOT_BASES_HOME: TEST_BASES_HOME,
      INGOT_CONFIG: hostConfig,
      INGOT_WORKER_TOKEN: TOKEN,
      INGOT_IMAGE_FORMATS: 'tar',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (d: Buffer) => {
    hostOut += d.toString();
  };
  host.stdout!.on('data', collect);
  host.stderr!.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    host!.stdout!.on('data', () => hostOut.includes(' ready ') && resolve());
    host!.once('exit', (code) => reject(new Error(`ingot worker exited ${code}: ${hostOut}`)));
  });
});

after(async () => {
  if (skip) return;
  if (host && host.exitCode === null && host.signalCode === null) {
    const exited = new Promise((r) => host!.once('exit', r));
    host.kill('SIGTERM');
    await exited;
  }
  await server?.stop();
  bucket?.close();
  await s3?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Bytes the control plane's worker API received, by operation. */
async function receivedBytes(): Promise<Record<string, number>> {
  const text = await server.server.metrics.scrape();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^ingot_worker_api_received_bytes_total\{op="([^"]+)"\} (\d+)/gm))
    out[m[1]!] = Number(m[2]);
  return out;
}

test('a build host publishes to a directory site and an S3 site itself: no artifact byte reaches the control plane', {
  skip,
  timeout: 600_000,
}, async (t) => {
  const c = server.client;
  const component = await createComponent(c, 'host-sites', '1.0.0', [
    `head -c ${PAYLOAD_MIB}M /dev/urandom > /opt/payload.bin`,
  ]);
  const recipe = (
    await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'host-sites',
        semanticVersion: '1.0.0',
        parentImage: BASE,
        components: [{ componentArn: component }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  const infra = (
    await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'host-sites',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
  const dist = (
    await c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: 'host-sites',
        distributions: ['us-east-1', 'eu-west-1'].map((region) => ({ region, amiDistributionConfiguration: {} })),
        clientToken: ct(),
      }),
    )
  ).distributionConfigurationArn!;
  const arn = (
    await c.send(
      new ib.CreateImageCommand({
        imageRecipeArn: recipe,
        infrastructureConfigurationArn: infra,
        distributionConfigurationArn: dist,
        clientToken: ct(),
      }),
    )
  ).imageBuildVersionArn!;
  const image = await waitForImage(c, arn, undefined, 540_000);
  assert.equal(image.state?.status, 'AVAILABLE', `${image.state?.reason}\n${hostOut.slice(-3000)}`);

  // The directory site holds the image's files, written by the host.
  const copy = join(root, 'site', TEST_ACCOUNT, 'images', siteKeyOf(arn));
  const files = readdirSync(copy);
  const rootfs = files.find((f) => f.startsWith('rootfs'));
  assert.ok(rootfs, `a rootfs on the directory site: ${files.join(', ')}`);
  const rootfsBytes = statSync(join(copy, rootfs)).size;
  assert.ok(rootfsBytes >= PAYLOAD_MIB * 2 ** 20, `rootfs of ${rootfsBytes} bytes carries the payload`);
  // The bucket holds its index and blobs, uploaded by the host.
  const index = JSON.parse(await bucket.getText(`golden/${TEST_ACCOUNT}/images/${siteKeyOf(arn)}/index.json`)) as {
    files: Record<string, string>;
  };
  assert.ok(
    Object.keys(index.files).some((f) => f.startsWith('rootfs')),
    JSON.stringify(index),
  );

  // The image's outputs name the sites.
  const amis = image.outputResources?.amis ?? [];
  assert.deepEqual(amis.map((a) => a.region).sort(), ['eu-west-1', 'us-east-1']);
  assert.ok(amis.find((a) => a.region === 'us-east-1')?.description?.includes(copy), JSON.stringify(amis));
  assert.match(
    amis.find((a) => a.region === 'eu-west-1')?.description ?? '',
    new RegExp(`s3://sites/golden/${TEST_ACCOUNT}/images/${siteKeyOf(arn)}/`),
  );

  // What the worker API received, all operations together, is a small part of one artifact.
  const received = await receivedBytes();
  const total = Object.values(received).reduce((a, b) => a + b, 0);
  t.diagnostic(`worker API received ${total} bytes ${JSON.stringify(received)}; rootfs ${rootfsBytes} bytes`);
  assert.ok(received['result'] !== undefined && received['claim'] !== undefined, JSON.stringify(received));
  assert.ok(
    total < rootfsBytes / 4,
    `the worker API received ${total} bytes (${JSON.stringify(received)}) for a ${rootfsBytes}-byte rootfs`,
  );
  // Nothing of the image is in the control plane's data directory.
  assert.deepEqual(
    readdirSync(server.home, { recursive: true }).filter((f) => String(f).includes(siteKeyOf(arn).split('/')[1]!)),
    [],
  );
});
