/**
 * @module A region whose site is an S3-compatible bucket (s3rver, a stand-in S3 server on loopback,
 * see test/helpers/s3-server.ts):
 * artifacts become content-addressed blobs plus a per-image index, an identical rebuild re-uses
 * the blobs, and deleting images removes their index and then the blobs nothing uses.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { siteKeyOf } from '../../src/distribution/distribute.ts';
import type { S3SiteConfig } from '../../src/config/ingot-config.ts';
import { S3Bucket } from '../../src/s3/index.ts';
import { startS3Server, type S3Server } from '../helpers/s3-server.ts';
import {
  BASE,
  createComponent,
  ct,
  skipUnlessRoot,
  startPipelineServer,
  TEST_ACCOUNT,
  waitForImage,
  type PipelineServer,
} from './helpers.ts';

const skip = skipUnlessRoot;
let t: PipelineServer;
let server: S3Server;
let s3: S3SiteConfig;
let bucket: S3Bucket;

before(async () => {
  if (skip) return;
  server = await startS3Server();
  s3 = { ...server.endpoint, bucket: 'ingot-sites', prefix: 'golden' };
  await server.createBucket(s3.bucket);
  bucket = new S3Bucket(s3, s3.bucket);
  t = await startPipelineServer({ worker: true });
  t.writeConfig({ sites: { 'eu-central-1': { s3 } } });
});
after(async () => {
  if (skip) return;
  await t.stop();
  bucket.close();
  await server.stop();
});

const index = async (arn: string) =>
  JSON.parse(await bucket.getText(`golden/${TEST_ACCOUNT}/images/${siteKeyOf(arn)}/index.json`)) as {
    files: Record<string, string>;
  };
const blobs = async () => (await bucket.list(`golden/${TEST_ACCOUNT}/blobs/sha256/`)).map((k) => k.split('/').pop()!);

test('an S3 site stores content-addressed blobs, re-uses them, and lifecycle deletes free them', { skip }, async () => {
  const c = t.client;
  const comp = await createComponent(c, 's3-comp', '1.0.0', ['echo s3 > /etc/ingot-s3']);
  const recipe = (
    await c.send(
      new ib.CreateImageRecipeCommand({
        name: 's3-vm',
        semanticVersion: '1.0.0',
        parentImage: BASE,
        components: [{ componentArn: comp }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  const infra = (
    await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 's3-infra',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
  const dist = (
    await c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: 's3-dist',
        distributions: [
          { region: 'us-east-1', amiDistributionConfiguration: {} },
          { region: 'eu-central-1', amiDistributionConfiguration: {} },
        ],
        clientToken: ct(),
      }),
    )
  ).distributionConfigurationArn!;
  const build = async () => {
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
    const image = await waitForImage(c, arn);
    assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
    return image;
  };
  const first = await build();
  assert.equal(first.outputResources?.amis?.[1]?.region, 'eu-central-1');
  assert.match(
    first.outputResources!.amis![1]!.description!,
    new RegExp(`s3://ingot-sites/golden/${TEST_ACCOUNT}/images/${siteKeyOf(first.arn!)}/`),
  );
  const one = await index(first.arn!);
  assert.ok(one.files['rootfs.tar.zst'] && one.files['manifest.json']);
  for (const sha of Object.values(one.files)) assert.ok((await blobs()).includes(sha), `blob ${sha} uploaded`);

  const second = await build(); // identical inputs: the same rootfs bytes, one blob
  const two = await index(second.arn!);
  assert.equal(two.files['rootfs.tar.zst'], one.files['rootfs.tar.zst']);
  assert.equal((await blobs()).filter((b) => b === one.files['rootfs.tar.zst']).length, 1);

  await c.send(
    new ib.StartResourceStateUpdateCommand({
      resourceArn: first.arn!,
      state: { status: 'DELETED' },
      clientToken: ct(),
    }),
  );
  assert.equal(await bucket.exists(`golden/${TEST_ACCOUNT}/images/${siteKeyOf(first.arn!)}/index.json`), false);
  assert.ok((await blobs()).includes(two.files['rootfs.tar.zst']!), 'still used by the second image');
  await c.send(
    new ib.StartResourceStateUpdateCommand({
      resourceArn: second.arn!,
      state: { status: 'DELETED' },
      clientToken: ct(),
    }),
  );
  assert.deepEqual(await blobs(), []);
});
