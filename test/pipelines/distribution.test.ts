/**
 * @module Distribution through the API with real parts: a container build goes to two regions
 * (one with an overridden site directory) and to two real `docker-registry` processes (one with
 * htpasswd auth), checked with `skopeo inspect`; a webhook receiver gets every state change with a
 * valid HMAC; wrong registry credentials fail the image with the reason and leave no copy behind,
 * and RetryImage then distributes without rebuilding; DistributeImage adds a region.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { siteKeyOf } from '../../src/distribution/distribute.ts';
import { signBody } from '../../src/events/sns-message.ts';
import type { IngotConfig } from '../../src/config/ingot-config.ts';
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
import { freePort, startRegistry, startWebhookReceiver, type Registry, type WebhookReceiver } from './services.ts';
import { buildLogText } from '../helpers/build-log.ts';

const TOPIC = `arn:aws:sns:us-east-1:${TEST_ACCOUNT}:ingot-image-events`;
const SECRET = 'hook-secret-1';
const AUTH = { username: 'ingot', password: 'right-password' };
let t: PipelineServer;
let open: Registry;
let locked: Registry;
let hook: WebhookReceiver;
let recipeArn: string;
let infraArn: string;
let config: IngotConfig;

before(async () => {
  if (skipUnlessRoot) return;
  [open, locked, hook] = await Promise.all([startRegistry(), startRegistry(AUTH), startWebhookReceiver()]);
  t = await startPipelineServer({ worker: true });
  config = {
    sites: { 'us-west-2': { directory: join(t.home, 'site-west') } },
    registries: [
      { service: 'ECR', region: 'us-east-1', host: open.host, tlsVerify: false },
      { service: 'ECR', region: 'us-west-2', host: locked.host, ...AUTH, tlsVerify: false },
      {
        service: 'ECR',
        region: 'eu-west-1',
        host: locked.host,
        username: AUTH.username,
        password: 'wrong-password',
        tlsVerify: false,
      },
    ],
    webhooks: { [TOPIC]: [{ url: hook.url, secret: SECRET }] },
  };
  t.writeConfig(config);
  const comp = await createComponent(t.client, 'dist-comp', '1.0.0', ['echo distributed > /dist.txt']);
  recipeArn = (
    await t.client.send(
      new ib.CreateContainerRecipeCommand({
        containerType: 'DOCKER',
        name: 'dist-app',
        semanticVersion: '1.0.0',
        parentImage: BASE,
        components: [{ componentArn: comp }],
        clientToken: ct(),
        dockerfileTemplateData:
          'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\nCMD ["/bin/sh"]\n',
        targetRepository: { service: 'ECR', repositoryName: 'ingot/app' },
      }),
    )
  ).containerRecipeArn!;
  infraArn = (
    await t.client.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'dist-infra',
        instanceProfileName: 'ingot',
        snsTopicArn: TOPIC,
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
});
after(async () => {
  if (skipUnlessRoot) return;
  await t.stop();
  await Promise.all([open.stop(), locked.stop(), hook.stop()]);
});

const toRegion = (region: string, tags: string[]): ib.Distribution => ({
  region,
  containerDistributionConfiguration: {
    targetRepository: { service: 'ECR', repositoryName: 'ingot/app' },
    containerTags: tags,
  },
});

async function distribution(name: string, distributions: ib.Distribution[]): Promise<string> {
  return (
    await t.client.send(new ib.CreateDistributionConfigurationCommand({ name, distributions, clientToken: ct() }))
  ).distributionConfigurationArn!;
}

async function build(distArn: string): Promise<string> {
  return (
    await t.client.send(
      new ib.CreateImageCommand({
        containerRecipeArn: recipeArn,
        infrastructureConfigurationArn: infraArn,
        distributionConfigurationArn: distArn,
        clientToken: ct(),
      }),
    )
  ).imageBuildVersionArn!;
}

function skopeoInspect(uri: string, creds?: string): { Digest: string; Layers: string[] } {
  return JSON.parse(
    execFileSync('skopeo', ['inspect', '--tls-verify=false', ...(creds ? ['--creds', creds] : []), `docker://${uri}`], {
      encoding: 'utf8',
    }),
  ) as { Digest: string; Layers: string[] };
}

test('a container build is distributed to two sites and two registries; webhooks see every state', {
  skip: skipUnlessRoot,
}, async () => {
  hook.failNext(2); // the first two deliveries fail and are retried
  const arn = await build(
    await distribution('two-regions', [
      toRegion('us-east-1', ['{{ imagebuilder:buildVersion }}', 'latest']),
      toRegion('us-west-2', ['v{{ imagebuilder:buildVersion }}-{{ imagebuilder:buildDate }}']),
    ]),
  );
  const image = await waitForImage(t.client, arn);
  assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
  const [east, west] = image.outputResources!.containers!;
  assert.equal(east!.region, 'us-east-1');
  assert.deepEqual(east!.imageUris!.slice(0, 2), [
    `${open.host}/${TEST_ACCOUNT}/ingot/app:1`,
    `${open.host}/${TEST_ACCOUNT}/ingot/app:latest`,
  ]);
  assert.equal(west!.region, 'us-west-2');
  assert.match(
    west!.imageUris![0]!,
    new RegExp(`^${locked.host}/${TEST_ACCOUNT}/ingot/app:v1-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ$`),
  );
  const pushed = skopeoInspect(east!.imageUris![0]!);
  assert.equal(pushed.Layers.length, 2);
  assert.equal(skopeoInspect(west!.imageUris![0]!, `${AUTH.username}:${AUTH.password}`).Digest, pushed.Digest);
  assert.throws(() => skopeoInspect(west!.imageUris![0]!), /unauthorized|authentication required/i);
  // Site stores: the default one and the overridden directory, each with content-addressed blobs.
  const id = join(TEST_ACCOUNT, 'images', siteKeyOf(arn));
  assert.ok(existsSync(join(t.home, 'regions/us-east-1', id, 'image.oci.tar')));
  assert.ok(existsSync(join(t.home, 'site-west', id, 'image.oci.tar')));
  assert.ok(existsSync(join(t.home, 'site-west', TEST_ACCOUNT, 'blobs/sha256')));

  for (let i = 0; i < 100 && !hook.received.some((r) => r.body.includes('\\"AVAILABLE\\"')); i++)
    await new Promise((r) => setTimeout(r, 200));
  const statuses = new Set<string>();
  for (const r of hook.received) {
    assert.equal(r.headers['x-ingot-signature'], signBody(SECRET, r.body), 'valid HMAC-SHA256 signature');
    assert.equal(r.headers['x-amz-sns-topic-arn'], TOPIC);
    const envelope = JSON.parse(r.body) as { Type: string; TopicArn: string; Message: string };
    assert.equal(envelope.Type, 'Notification');
    const message = JSON.parse(envelope.Message) as ib.Image;
    if (message.arn === arn) statuses.add(message.state!.status!);
  }
  for (const s of ['PENDING', 'BUILDING', 'DISTRIBUTING', 'AVAILABLE'])
    assert.ok(statuses.has(s), `webhook got ${s} (got ${[...statuses].join(', ')})`);
  const last = hook.received
    .map((r) => JSON.parse((JSON.parse(r.body) as { Message: string }).Message) as ib.Image)
    .filter((m) => m.arn === arn && m.state?.status === 'AVAILABLE')[0]!;
  assert.deepEqual(last.outputResources, image.outputResources, 'the message is the image as GetImage returns it');
});

test('wrong registry credentials fail the image with the reason, leave no copy, and RetryImage distributes without rebuilding', {
  skip: skipUnlessRoot,
}, async () => {
  const arn = await build(
    await distribution('bad-creds', [toRegion('us-east-1', ['retry']), toRegion('eu-west-1', ['retry'])]),
  );
  const failed = await waitForImage(t.client, arn);
  assert.equal(failed.state?.status, 'FAILED');
  assert.match(
    failed.state?.reason ?? '',
    /Distribution to region eu-west-1 \(ECR repository ingot\/app\) failed: .*(unauthorized|authentication required)/i,
  );
  const id = join(TEST_ACCOUNT, 'images', siteKeyOf(arn));
  assert.equal(existsSync(join(t.home, 'regions/us-east-1', id)), false, 'the us-east-1 copy was removed');
  assert.equal(existsSync(join(t.home, 'regions/eu-west-1', id)), false);

  t.writeConfig({
    ...config,
    registries: config.registries!.map((r) => (r.region === 'eu-west-1' ? { ...r, password: AUTH.password } : r)),
  });
  await t.client.send(new ib.RetryImageCommand({ imageBuildVersionArn: arn, clientToken: ct() }));
  const retried = await waitForImage(t.client, arn, (s) => s === 'AVAILABLE' || s === 'FAILED');
  assert.equal(retried.state?.status, 'AVAILABLE', retried.state?.reason);
  assert.deepEqual(
    retried.outputResources?.containers?.map((c) => c.region),
    ['us-east-1', 'eu-west-1'],
  );
  const log = await buildLogText(t.server.store, arn);
  assert.match(log, /distributing the existing build outputs \(no rebuild\)/);
  assert.equal(
    skopeoInspect(`${locked.host}/${TEST_ACCOUNT}/ingot/app:retry`, `${AUTH.username}:${AUTH.password}`).Layers.length,
    2,
  );

  // DistributeImage: the same outputs to one more region, merged into outputResources.
  await t.client.send(
    new ib.DistributeImageCommand({
      sourceImage: arn,
      distributionConfigurationArn: await distribution('more', [
        { region: 'ap-south-1', amiDistributionConfiguration: {} },
      ]),
      executionRole: 'ingot',
      clientToken: ct(),
    }),
  );
  const final = await waitForImage(t.client, arn, (s) => s === 'AVAILABLE' || s === 'FAILED');
  assert.equal(final.state?.status, 'AVAILABLE', final.state?.reason);
  assert.deepEqual(
    final.outputResources?.containers?.map((c) => c.region),
    ['us-east-1', 'eu-west-1', 'ap-south-1'],
  );
  assert.ok(existsSync(join(t.home, 'regions/ap-south-1', id, 'image.oci.tar')));
});

test('a repository without a registry is refused at create time; an unreachable registry fails the image with the reason', {
  skip: skipUnlessRoot,
}, async () => {
  const nowhere = await distribution('nowhere', [toRegion('ap-northeast-1', ['x'])]);
  await assert.rejects(
    build(nowhere),
    /no OCI registry is configured for ECR repository 'ingot\/app' in region ap-northeast-1/,
  );
  const closedPort = await freePort();
  t.writeConfig({
    ...config,
    registries: [
      ...config.registries!,
      { service: 'ECR', region: 'ca-central-1', host: `127.0.0.1:${closedPort}`, tlsVerify: false },
    ],
  });
  const arn = await build(await distribution('unreachable', [toRegion('ca-central-1', ['x'])]));
  const image = await waitForImage(t.client, arn);
  assert.equal(image.state?.status, 'FAILED');
  assert.match(
    image.state?.reason ?? '',
    new RegExp(`Distribution to region ca-central-1 .* failed: .*127\\.0\\.0\\.1:${closedPort}.*connection refused`),
  );
});
