/**
 * @module The resource policies of images, image recipes and container recipes (sharing with another
 * account, `owner=Shared`, nothing unshared visible), ListImagePackages from an image's SBOM,
 * CancelLifecycleExecution and GetMarketplaceResource — with the real SDK against a real server.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { imageOutputDir } from '../../src/artifacts/output-dirs.ts';
import { execute } from '../../src/lifecycle/run.ts';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/server.ts';
import { rejects } from '../helpers/rejects.ts';

const OTHER = { accessKeyId: 'AKIAINGOTTESTKEY0003', secretAccessKey: 'ingot-test-secret-key-000000000000000003' };
const OTHER_ACCOUNT = '210987654321';
const HELLO =
  'name: hello\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: s\n        action: ExecuteBash\n        inputs:\n          commands: ["true"]\n';
let t: TestServer;
let c: ib.ImagebuilderClient;
let o: ib.ImagebuilderClient;

before(async () => {
  t = await startTestServer();
  c = t.client();
  await t.server.store.credentials.put({ ...OTHER, accountId: OTHER_ACCOUNT });
  o = t.client('us-east-1', OTHER);
});
after(() => t.stop());

const policyFor = (arn: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${OTHER_ACCOUNT}:root`] }, Action: '*', Resource: arn },
    ],
  });

async function recipe(name: string): Promise<string> {
  const comp = await c.send(
    new ib.CreateComponentCommand({ name: `${name}-c`, semanticVersion: '1.0.0', platform: 'Linux', data: HELLO }),
  );
  const r = await c.send(
    new ib.CreateImageRecipeCommand({
      name,
      semanticVersion: '1.0.0',
      parentImage: 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x',
      components: [{ componentArn: comp.componentBuildVersionArn! }],
    }),
  );
  return r.imageRecipeArn!;
}

test('an image recipe policy shares the recipe with the named account only', async () => {
  const arn = await recipe('shared-recipe');
  const hidden = await recipe('private-recipe');
  await rejects(c.send(new ib.GetImageRecipePolicyCommand({ imageRecipeArn: arn })), 'ResourceNotFoundException');
  await rejects(o.send(new ib.GetImageRecipeCommand({ imageRecipeArn: arn })), 'ResourceNotFoundException');
  await c.send(new ib.PutImageRecipePolicyCommand({ imageRecipeArn: arn, policy: policyFor(arn) }));
  assert.equal((await c.send(new ib.GetImageRecipePolicyCommand({ imageRecipeArn: arn }))).policy, policyFor(arn));
  assert.equal(
    (await o.send(new ib.GetImageRecipeCommand({ imageRecipeArn: arn }))).imageRecipe?.name,
    'shared-recipe',
  );
  const shared = await o.send(new ib.ListImageRecipesCommand({ owner: 'Shared' }));
  assert.deepEqual(
    shared.imageRecipeSummaryList?.map((r) => r.name),
    ['shared-recipe'],
  );
  await rejects(o.send(new ib.GetImageRecipeCommand({ imageRecipeArn: hidden })), 'ResourceNotFoundException');
  // Only the owner may read or change the policy; a bad policy is a 400 naming the problem.
  await rejects(o.send(new ib.GetImageRecipePolicyCommand({ imageRecipeArn: arn })), 'ForbiddenException');
  await rejects(
    c.send(new ib.PutImageRecipePolicyCommand({ imageRecipeArn: arn, policy: '{"Statement":[]}' })),
    'InvalidParameterValueException',
    /Statement/,
  );
  await rejects(
    c.send(new ib.PutImageRecipePolicyCommand({ imageRecipeArn: arn, policy: 'not json' })),
    'InvalidParameterValueException',
    /JSON/,
  );
});

test('container recipe and image policies: put, get, and the owner check', async () => {
  const cr = `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:container-recipe/none/1.0.0`;
  await rejects(
    c.send(new ib.PutContainerRecipePolicyCommand({ containerRecipeArn: cr, policy: policyFor(cr) })),
    'ResourceNotFoundException',
  );
  const image = `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:image/none/1.0.0/1`;
  await rejects(c.send(new ib.GetImagePolicyCommand({ imageArn: image })), 'ResourceNotFoundException');
  await rejects(
    o.send(new ib.PutImagePolicyCommand({ imageArn: image, policy: policyFor(image) })),
    'ForbiddenException',
  );
});

test('ListImagePackages lists the packages of the SBOM an image build wrote, paged', async () => {
  const recipeArn = await recipe('pkg-recipe');
  const infra = await c.send(
    new ib.CreateInfrastructureConfigurationCommand({ name: 'pkg-infra', instanceProfileName: 'ingot' }),
  );
  const created = await c.send(
    new ib.CreateImageCommand({
      imageRecipeArn: recipeArn,
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
    }),
  );
  const arn = created.imageBuildVersionArn!;
  // Not built yet (no worker here): no package list.
  await rejects(c.send(new ib.ListImagePackagesCommand({ imageBuildVersionArn: arn })), 'InvalidRequestException');
  // The build's outputs, as a worker leaves them: an AVAILABLE image and its SPDX SBOM.
  const record = (await t.server.store.resources.get<Record<string, unknown>>(arn))!;
  await t.server.store.resources.update(arn, { ...record.doc, state: { status: 'AVAILABLE' } });
  const dir = imageOutputDir(t.home, arn);
  mkdirSync(dir, { recursive: true });
  const pkg = (name: string, version: string) => ({
    SPDXID: `SPDXRef-Package-deb-${name}-amd64`,
    name,
    versionInfo: version,
  });
  writeFileSync(
    join(dir, 'sbom.spdx.json'),
    JSON.stringify({
      packages: [
        { SPDXID: 'SPDXRef-Image', name: 'pkg-recipe', versionInfo: '1.0.0/1' },
        pkg('zlib1g', '1:1.2.13'),
        pkg('bash', '5.2.15-2'),
        pkg('coreutils', '9.1-1'),
      ],
    }),
  );
  const first = await c.send(new ib.ListImagePackagesCommand({ imageBuildVersionArn: arn, maxResults: 2 }));
  assert.deepEqual(first.imagePackageList, [
    { packageName: 'bash', packageVersion: '5.2.15-2' },
    { packageName: 'coreutils', packageVersion: '9.1-1' },
  ]);
  const second = await c.send(
    new ib.ListImagePackagesCommand({ imageBuildVersionArn: arn, maxResults: 2, nextToken: first.nextToken! }),
  );
  assert.deepEqual(second.imagePackageList, [{ packageName: 'zlib1g', packageVersion: '1:1.2.13' }]);
  assert.equal(second.nextToken, undefined);
  // Another account sees nothing of it.
  await rejects(o.send(new ib.ListImagePackagesCommand({ imageBuildVersionArn: arn })), 'ResourceNotFoundException');
});

test('CancelLifecycleExecution stops the actions not yet begun; a finished execution cannot be cancelled', async () => {
  const policyArn = `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:lifecycle-policy/p`;
  const store = t.server.store;
  // An execution whose record is asked to stop as soon as it starts (as a concurrent cancel would).
  const put = store.lifecycleExecutions.put.bind(store.lifecycleExecutions);
  let first = true;
  const cancelling = {
    ...store,
    lifecycleExecutions: {
      ...store.lifecycleExecutions,
      get: store.lifecycleExecutions.get.bind(store.lifecycleExecutions),
      resources: store.lifecycleExecutions.resources.bind(store.lifecycleExecutions),
      byResource: store.lifecycleExecutions.byResource.bind(store.lifecycleExecutions),
      put: async (record: Parameters<typeof put>[0], resources: Parameters<typeof put>[1]) => {
        await put(record, resources);
        if (!first) return;
        first = false;
        await c.send(new ib.CancelLifecycleExecutionCommand({ lifecycleExecutionId: record.id, clientToken: 'ct-1' }));
      },
    },
  } as typeof store;
  const image = { arn: 'x', account: TEST_ACCOUNT, region: 'us-east-1', doc: {} } as never;
  const id = await execute(
    { store: cancelling, home: t.home, config: () => ({}) },
    policyArn,
    [{ image, action: 'DELETE', reason: 'age' }],
    false,
  );
  const done = await c.send(new ib.GetLifecycleExecutionCommand({ lifecycleExecutionId: id }));
  assert.equal(done.lifecycleExecution?.state?.status, 'CANCELLED');
  const resources = await c.send(new ib.ListLifecycleExecutionResourcesCommand({ lifecycleExecutionId: id }));
  assert.equal(resources.resources?.[0]?.state?.status, 'SKIPPED');
  await rejects(
    c.send(new ib.CancelLifecycleExecutionCommand({ lifecycleExecutionId: id, clientToken: 'ct-2' })),
    'InvalidRequestException',
    /CANCELLED/,
  );
  await rejects(
    o.send(new ib.CancelLifecycleExecutionCommand({ lifecycleExecutionId: id, clientToken: 'ct-3' })),
    'ResourceNotFoundException',
  );
});

test('GetMarketplaceResource answers honestly: Ingot has no marketplace', async () => {
  await rejects(
    c.send(
      new ib.GetMarketplaceResourceCommand({
        resourceType: 'COMPONENT_DATA',
        resourceArn: 'arn:aws:imagebuilder:us-east-1:aws:component/some-product/1.0.0/1',
      }),
    ),
    'InvalidRequestException',
    /no marketplace/,
  );
});
