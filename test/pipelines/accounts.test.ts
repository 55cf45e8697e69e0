/**
 * @module Two accounts through the API with real builds: both build a recipe of the same name
 * and version (same build number) to the same region and registry. Neither overwrites, reaches
 * or deletes the other's site copy, registry tag, build outputs, log or cache entries.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tarRootfs, tinyRootfs } from '../helpers/tiny-rootfs.ts';
import { ct, skipUnlessRoot, startPipelineServer, TEST_ACCOUNT, waitForImage, type PipelineServer } from './helpers.ts';
import { startRegistry, type Registry } from './services.ts';
import { buildLogText } from '../helpers/build-log.ts';

const B_ACCOUNT = '210987654321';
const B_KEY = { accessKeyId: 'AKIAINGOTTESTKEY0002', secretAccessKey: 'ingot-test-secret-key-000000000000000002' };
let t: PipelineServer;
let registry: Registry;
let dir: string;
let parent: string;

before(async () => {
  if (skipUnlessRoot) return;
  dir = mkdtempSync(join(tmpdir(), 'ingot-accounts-'));
  tinyRootfs(join(dir, 'root'), { dpkg: true });
  parent = join(dir, 'tiny.tar.zst');
  tarRootfs(join(dir, 'root'), parent);
  registry = await startRegistry();
  t = await startPipelineServer({ worker: true });
  await t.server.store.credentials.put({ ...B_KEY, accountId: B_ACCOUNT });
  t.writeConfig({ registries: [{ service: 'ECR', host: registry.host, tlsVerify: false }] });
});
after(async () => {
  if (skipUnlessRoot) return;
  await t.stop();
  await registry.stop();
  rmSync(dir, { recursive: true, force: true });
});

const doc = (name: string, command: string) =>
  `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n            - ${JSON.stringify(command)}\n`;

/** The same recipes in one account: an image and a container, each with a common and an account's own component. */
async function buildAll(c: ib.ImagebuilderClient, mark: string): Promise<{ image: ib.Image; container: ib.Image }> {
  const component = async (name: string, command: string) =>
    (
      await c.send(
        new ib.CreateComponentCommand({
          name,
          semanticVersion: '1.0.0',
          platform: 'Linux',
          data: doc(name, command),
          clientToken: ct(),
        }),
      )
    ).componentBuildVersionArn!;
  const components = [
    { componentArn: await component('common', 'echo common > /etc/common.txt') },
    { componentArn: await component('mark', `echo ${mark} > /etc/motd`) },
  ];
  const infra = (
    await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'infra',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
  const dist = (
    await c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: 'dist',
        distributions: [
          {
            region: 'us-east-1',
            containerDistributionConfiguration: {
              targetRepository: { service: 'ECR', repositoryName: 'shared/app' },
              containerTags: ['1.0.0'],
            },
          },
          { region: 'us-west-2', amiDistributionConfiguration: {} },
        ],
        clientToken: ct(),
      }),
    )
  ).distributionConfigurationArn!;
  const imageRecipe = (
    await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'shared',
        semanticVersion: '1.0.0',
        parentImage: parent,
        components,
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  const containerRecipe = (
    await c.send(
      new ib.CreateContainerRecipeCommand({
        containerType: 'DOCKER',
        name: 'shared-c',
        semanticVersion: '1.0.0',
        parentImage: parent,
        components,
        dockerfileTemplateData: 'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n',
        targetRepository: { service: 'ECR', repositoryName: 'shared/app' },
        clientToken: ct(),
      }),
    )
  ).containerRecipeArn!;
  const create = async (recipe: { imageRecipeArn: string } | { containerRecipeArn: string }) =>
    (
      await c.send(
        new ib.CreateImageCommand({
          ...recipe,
          infrastructureConfigurationArn: infra,
          distributionConfigurationArn: dist,
          clientToken: ct(),
        }),
      )
    ).imageBuildVersionArn!;
  const image = await waitForImage(c, await create({ imageRecipeArn: imageRecipe }));
  assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
  const container = await waitForImage(c, await create({ containerRecipeArn: containerRecipe }));
  assert.equal(container.state?.status, 'AVAILABLE', container.state?.reason);
  return { image, container };
}

/** The site directory of a region's copy, as the image's own outputResources name it. */
const siteDir = (image: ib.Image, region: string): string =>
  image.outputResources!.amis!.find((a) => a.region === region)!.description!.replace(/^Ingot image at /, '');
const motd = (image: ib.Image, region: string): string =>
  execFileSync('tar', ['--zstd', '-xOf', join(siteDir(image, region), 'rootfs.tar.zst'), './etc/motd'], {
    encoding: 'utf8',
  }).trim();
const digest = (uri: string): string =>
  (
    JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${uri}`], { encoding: 'utf8' })) as {
      Digest: string;
    }
  ).Digest;

test('two accounts building the same names never overwrite, reach or delete each other', {
  skip: skipUnlessRoot,
}, async () => {
  const a = t.client;
  const b = new ib.ImagebuilderClient({
    endpoint: t.server.url,
    region: 'us-east-1',
    credentials: B_KEY,
    maxAttempts: 1,
  });
  const ofA = await buildAll(a, 'account-a');
  const ofB = await buildAll(b, 'account-b');
  assert.equal(ofA.image.arn!.split('/').slice(1).join('/'), ofB.image.arn!.split('/').slice(1).join('/'));

  // Site copies: each account's own, with its own content, in both regions.
  for (const region of ['us-east-1', 'us-west-2']) {
    assert.notEqual(siteDir(ofA.image, region), siteDir(ofB.image, region));
    assert.equal(motd(ofA.image, region), 'account-a', `A's copy in ${region} still holds A's build`);
    assert.equal(motd(ofB.image, region), 'account-b');
  }
  // Registry: each account has its own repository; B's push left A's tag alone.
  const uriA = ofA.container.outputResources!.containers![0]!.imageUris![0]!;
  const uriB = ofB.container.outputResources!.containers![0]!.imageUris![0]!;
  assert.equal(uriA, `${registry.host}/${TEST_ACCOUNT}/shared/app:1.0.0`);
  assert.equal(uriB, `${registry.host}/${B_ACCOUNT}/shared/app:1.0.0`);
  assert.notEqual(digest(uriA), digest(uriB));
  const digestA = digest(uriA);

  // Caches: B's build hit none of A's layers (its common component was built afresh) and reused no outputs.
  const manifestB = JSON.parse(
    readFileSync(join(t.home, 'images/us-east-1', B_ACCOUNT, 'shared/1.0.0/1/manifest.json'), 'utf8'),
  ) as { layers: { cached: boolean }[]; reused?: boolean };
  assert.deepEqual(
    manifestB.layers.map((l) => l.cached),
    [false, false],
  );
  assert.notEqual(manifestB.reused, true);
  // Logs: B's build log names nothing of A.
  const logB = await buildLogText(t.server.store, ofB.image.arn!);
  assert.doesNotMatch(logB, new RegExp(TEST_ACCOUNT));
  // The API: B cannot read A's image or its log.
  await assert.rejects(
    b.send(new ib.GetImageCommand({ imageBuildVersionArn: ofA.image.arn! })),
    /ResourceNotFoundException|not found|does not exist/i,
  );

  // B deletes its images: only B's copies, outputs and tags go.
  for (const image of [ofB.image, ofB.container])
    await b.send(
      new ib.StartResourceStateUpdateCommand({
        resourceArn: image.arn!,
        state: { status: 'DELETED' },
        clientToken: ct(),
      }),
    );
  for (const region of ['us-east-1', 'us-west-2']) {
    assert.equal(existsSync(siteDir(ofB.image, region)), false, `B's copy in ${region} is gone`);
    assert.equal(motd(ofA.image, region), 'account-a', `A's copy in ${region} survived B's delete`);
  }
  assert.ok(existsSync(join(t.home, 'images/us-east-1', TEST_ACCOUNT, 'shared/1.0.0/1/rootfs.tar.zst')));
  assert.equal(digest(uriA), digestA, "A's registry tag survived B's delete");
  assert.equal(
    (await a.send(new ib.GetImageCommand({ imageBuildVersionArn: ofA.image.arn! }))).image?.state?.status,
    'AVAILABLE',
  );
});

test("a parentImage path into INGOT_HOME (another account's outputs) fails the build with the reason", {
  skip: skipUnlessRoot,
}, async () => {
  const b = new ib.ImagebuilderClient({
    endpoint: t.server.url,
    region: 'us-east-1',
    credentials: B_KEY,
    maxAttempts: 1,
  });
  const stolen = join(t.home, 'images/us-east-1', TEST_ACCOUNT, 'shared/1.0.0/1/rootfs.tar.zst');
  assert.ok(existsSync(stolen));
  const recipe = (
    await b.send(
      new ib.CreateImageRecipeCommand({
        name: 'thief',
        semanticVersion: '1.0.0',
        parentImage: stolen,
        components: [{ componentArn: `arn:aws:imagebuilder:us-east-1:${B_ACCOUNT}:component/mark/1.0.0/1` }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  const infra = (
    await b.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'thief',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
  const arn = (
    await b.send(
      new ib.CreateImageCommand({ imageRecipeArn: recipe, infrastructureConfigurationArn: infra, clientToken: ct() }),
    )
  ).imageBuildVersionArn!;
  const image = await waitForImage(b, arn);
  assert.equal(image.state?.status, 'FAILED');
  assert.match(image.state?.reason ?? '', /inside Ingot's data directory/);
});

test("a replaced component policy stops another account's builds with that component", {
  skip: skipUnlessRoot,
}, async () => {
  const a = t.client;
  const b = new ib.ImagebuilderClient({
    endpoint: t.server.url,
    region: 'us-east-1',
    credentials: B_KEY,
    maxAttempts: 1,
  });
  const component = (
    await a.send(
      new ib.CreateComponentCommand({
        name: 'shared-tool',
        semanticVersion: '1.0.0',
        platform: 'Linux',
        data: doc('shared-tool', 'echo tool > /etc/tool.txt'),
        clientToken: ct(),
      }),
    )
  ).componentBuildVersionArn!;
  const policy = (accounts: string[]) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: accounts.map((x) => `arn:aws:iam::${x}:root`) },
          Action: ['imagebuilder:GetComponent', 'imagebuilder:ListComponents'],
        },
      ],
    });
  await a.send(new ib.PutComponentPolicyCommand({ componentArn: component, policy: policy([B_ACCOUNT]) }));
  const recipe = (
    await b.send(
      new ib.CreateImageRecipeCommand({
        name: 'borrower',
        semanticVersion: '1.0.0',
        parentImage: parent,
        components: [{ componentArn: component }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  const infra = (
    await b.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'borrower',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
  const build = async () =>
    waitForImage(
      b,
      (
        await b.send(
          new ib.CreateImageCommand({
            imageRecipeArn: recipe,
            infrastructureConfigurationArn: infra,
            clientToken: ct(),
          }),
        )
      ).imageBuildVersionArn!,
    );
  const shared = await build();
  assert.equal(shared.state?.status, 'AVAILABLE', shared.state?.reason);
  // The owner replaces the policy: B is no longer in it.
  await a.send(new ib.PutComponentPolicyCommand({ componentArn: component, policy: policy(['111122223333']) }));
  const revoked = await build();
  assert.equal(revoked.state?.status, 'FAILED');
  assert.match(revoked.state?.reason ?? '', /is not shared with account 210987654321/);
});
