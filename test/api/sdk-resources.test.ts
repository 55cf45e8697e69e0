/**
 * @module Every implemented resource operation driven by the real @aws-sdk/client-imagebuilder
 * against a real server on loopback, including a restart that must lose nothing.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/server.ts';

const HELLO = readFileSync(new URL('../fixtures/hello-component.yml', import.meta.url), 'utf8');
const BASE = 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x';
let t: TestServer;
let c: ib.ImagebuilderClient;
before(async () => {
  t = await startTestServer();
  c = t.client();
});
after(() => t.stop());

let token = 0;
const ct = () => `token-${++token}`;

async function rejectsWith(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('components: create, build versions, wildcards, idempotency, pagination, delete', async () => {
  const created = await c.send(
    new ib.CreateComponentCommand({
      name: 'hello',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data: HELLO,
      clientToken: 'c1',
    }),
  );
  assert.equal(
    created.componentBuildVersionArn,
    `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:component/hello/1.0.0/1`,
  );
  // The same token and parameters: the same answer, no new build.
  const again = await c.send(
    new ib.CreateComponentCommand({
      name: 'hello',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data: HELLO,
      clientToken: 'c1',
    }),
  );
  assert.equal(again.componentBuildVersionArn, created.componentBuildVersionArn);
  await rejectsWith(
    c.send(
      new ib.CreateComponentCommand({
        name: 'hello',
        semanticVersion: '1.0.1',
        platform: 'Linux',
        data: HELLO,
        clientToken: 'c1',
      }),
    ),
    'IdempotentParameterMismatchException',
  );
  // Same name and version again: the next build number.
  const second = await c.send(
    new ib.CreateComponentCommand({
      name: 'hello',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data: HELLO,
      clientToken: ct(),
    }),
  );
  assert.match(second.componentBuildVersionArn!, /\/hello\/1\.0\.0\/2$/);
  await c.send(
    new ib.CreateComponentCommand({
      name: 'hello',
      semanticVersion: '1.2.0',
      platform: 'Linux',
      data: HELLO,
      clientToken: ct(),
    }),
  );

  const got = await c.send(new ib.GetComponentCommand({ componentBuildVersionArn: created.componentBuildVersionArn! }));
  assert.equal(got.component?.version, '1.0.0');
  assert.equal(got.component?.type, 'BUILD');
  assert.equal(got.component?.owner, TEST_ACCOUNT);
  assert.deepEqual(got.component?.parameters, [
    { name: 'Greeting', type: 'String', defaultValue: ['hello'], description: 'What to say.' },
  ]);
  assert.equal(got.component?.data, HELLO);
  const wild = await c.send(
    new ib.GetComponentCommand({
      componentBuildVersionArn: `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:component/hello/1.x.x`,
    }),
  );
  assert.match(wild.component!.arn!, /\/hello\/1\.2\.0\/1$/);
  const ver = await c.send(
    new ib.GetComponentCommand({
      componentBuildVersionArn: `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:component/hello/1.0.0`,
    }),
  );
  assert.match(ver.component!.arn!, /\/hello\/1\.0\.0\/2$/);

  const builds = await c.send(
    new ib.ListComponentBuildVersionsCommand({
      componentVersionArn: `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:component/hello/1.0.0`,
    }),
  );
  assert.deepEqual(
    builds.componentSummaryList?.map((s) => s.arn?.split('/').slice(-2).join('/')),
    ['1.0.0/1', '1.0.0/2'],
  );

  const page1 = await c.send(new ib.ListComponentsCommand({ maxResults: 1 }));
  assert.equal(page1.componentVersionList?.length, 1);
  assert.ok(page1.nextToken);
  const page2 = await c.send(new ib.ListComponentsCommand({ maxResults: 1, nextToken: page1.nextToken }));
  assert.notEqual(page2.componentVersionList?.[0]?.arn, page1.componentVersionList?.[0]?.arn);
  assert.equal(
    page1.componentVersionList?.[0]?.arn,
    `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:component/hello/1.0.0`,
  );
  await rejectsWith(
    c.send(new ib.ListComponentsCommand({ nextToken: 'bm90LWEtdG9rZW4' })),
    'InvalidPaginationTokenException',
  );
  const filtered = await c.send(new ib.ListComponentsCommand({ filters: [{ name: 'name', values: ['nope'] }] }));
  assert.deepEqual(filtered.componentVersionList, []);
  await rejectsWith(
    c.send(new ib.ListComponentsCommand({ filters: [{ name: 'colour', values: ['x'] }] })),
    'InvalidParameterValueException',
    /colour/,
  );

  const del = await c.send(
    new ib.DeleteComponentCommand({ componentBuildVersionArn: second.componentBuildVersionArn! }),
  );
  assert.equal(del.componentBuildVersionArn, second.componentBuildVersionArn);
  await rejectsWith(
    c.send(new ib.GetComponentCommand({ componentBuildVersionArn: second.componentBuildVersionArn! })),
    'ResourceNotFoundException',
  );
});

test('component documents that do not parse are refused with line and column', async () => {
  await rejectsWith(
    c.send(
      new ib.CreateComponentCommand({
        name: 'broken',
        semanticVersion: '1.0.0',
        platform: 'Linux',
        data: 'name: x\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps: [\n',
        clientToken: ct(),
      }),
    ),
    'InvalidParameterValueException',
    /line \d+/,
  );
  await rejectsWith(
    c.send(
      new ib.CreateComponentCommand({
        name: 'bad-version',
        semanticVersion: '1.0',
        platform: 'Linux',
        data: HELLO,
        clientToken: ct(),
      }),
    ),
    'InvalidParameterValueException',
    /semanticVersion/,
  );
});

test('the managed catalogue is there from the start: Debian bases and managed components', async () => {
  const images = await c.send(new ib.ListImagesCommand({ owner: 'Amazon' }));
  const names = images.imageVersionList?.map((i) => i.name);
  assert.ok(names?.includes('debian-12-x86') && names.includes('debian-13-x86'), String(names));
  assert.equal(images.imageVersionList?.[0]?.owner, 'Amazon');
  const base = await c.send(new ib.GetImageCommand({ imageBuildVersionArn: BASE }));
  assert.equal(base.image?.osVersion, 'Debian 12');
  assert.equal(base.image?.state?.status, 'AVAILABLE');
  const comps = await c.send(new ib.ListComponentsCommand({ owner: 'Amazon', maxResults: 25 }));
  const compNames = comps.componentVersionList?.map((x) => x.name) ?? [];
  for (const n of ['update-linux', 'hello-world-linux', 'aws-cli-version-2-linux'])
    assert.ok(compNames.includes(n), `${n} in ${compNames}`);
});

test('recipes, configurations, pipelines and images, with in-use checks', async () => {
  const comp = await c.send(
    new ib.CreateComponentCommand({
      name: 'web',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data: HELLO,
      clientToken: ct(),
    }),
  );
  const recipe = await c.send(
    new ib.CreateImageRecipeCommand({
      name: 'my-base-image',
      semanticVersion: '1.0.0',
      parentImage: BASE,
      clientToken: ct(),
      components: [
        { componentArn: comp.componentBuildVersionArn!, parameters: [{ name: 'Greeting', value: ['hi'] }] },
        { componentArn: 'arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x' },
      ],
    }),
  );
  assert.equal(
    recipe.imageRecipeArn,
    `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:image-recipe/my-base-image/1.0.0`,
  );
  await rejectsWith(
    c.send(
      new ib.CreateImageRecipeCommand({
        name: 'my-base-image',
        semanticVersion: '1.0.0',
        parentImage: BASE,
        clientToken: ct(),
      }),
    ),
    'ResourceAlreadyExistsException',
  );
  await rejectsWith(
    c.send(
      new ib.CreateImageRecipeCommand({
        name: 'recipe-2',
        semanticVersion: '1.0.0',
        parentImage: BASE,
        clientToken: ct(),
        components: [{ componentArn: comp.componentBuildVersionArn!, parameters: [{ name: 'Nope', value: ['x'] }] }],
      }),
    ),
    'InvalidParameterValueException',
    /no parameter 'Nope'/,
  );
  const auto = await c.send(
    new ib.CreateImageRecipeCommand({
      name: 'my-base-image',
      semanticVersion: '1.0.x',
      parentImage: BASE,
      clientToken: ct(),
    }),
  );
  assert.match(auto.imageRecipeArn!, /\/my-base-image\/1\.0\.1$/);
  const gotRecipe = await c.send(new ib.GetImageRecipeCommand({ imageRecipeArn: recipe.imageRecipeArn! }));
  assert.equal(gotRecipe.imageRecipe?.components?.length, 2);
  assert.equal(gotRecipe.imageRecipe?.platform, 'Linux');

  const infra = await c.send(
    new ib.CreateInfrastructureConfigurationCommand({
      name: 'my-config',
      instanceProfileName: 'ingot',
      instanceTypes: ['t3.medium'],
      clientToken: ct(),
    }),
  );
  assert.equal(
    infra.infrastructureConfigurationArn,
    `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:infrastructure-configuration/my-config`,
  );
  await c.send(
    new ib.UpdateInfrastructureConfigurationCommand({
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
      instanceProfileName: 'ingot',
      description: 'updated',
      clientToken: ct(),
    }),
  );
  const gotInfra = await c.send(
    new ib.GetInfrastructureConfigurationCommand({
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
    }),
  );
  assert.equal(gotInfra.infrastructureConfiguration?.description, 'updated');
  assert.ok(gotInfra.infrastructureConfiguration?.dateUpdated);

  const dist = await c.send(
    new ib.CreateDistributionConfigurationCommand({
      name: 'my-dist-config',
      clientToken: ct(),
      distributions: [
        { region: 'us-east-1', amiDistributionConfiguration: {} },
        { region: 'us-west-2', amiDistributionConfiguration: {} },
      ],
    }),
  );
  const dists = await c.send(new ib.ListDistributionConfigurationsCommand({}));
  assert.deepEqual(dists.distributionConfigurationSummaryList?.[0]?.regions, ['us-east-1', 'us-west-2']);
  await rejectsWith(
    c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: 'bad',
        clientToken: ct(),
        distributions: [{ region: 'moon-base' }],
      }),
    ),
    'InvalidParameterValueException',
    /moon-base/,
  );

  const pipeline = await c.send(
    new ib.CreateImagePipelineCommand({
      name: 'my-image-pipeline',
      imageRecipeArn: recipe.imageRecipeArn!,
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
      distributionConfigurationArn: dist.distributionConfigurationArn!,
      clientToken: ct(),
      schedule: { scheduleExpression: 'cron(0 3 ? * 2 *)', timezone: 'Etc/UTC' },
    }),
  );
  await rejectsWith(
    c.send(new ib.DeleteImageRecipeCommand({ imageRecipeArn: recipe.imageRecipeArn! })),
    'ResourceDependencyException',
    /image-pipeline/,
  );
  await rejectsWith(
    c.send(new ib.DeleteComponentCommand({ componentBuildVersionArn: comp.componentBuildVersionArn! })),
    'ResourceDependencyException',
  );
  await rejectsWith(
    c.send(
      new ib.CreateImagePipelineCommand({
        name: 'bad-cron',
        imageRecipeArn: recipe.imageRecipeArn!,
        infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
        clientToken: ct(),
        schedule: { scheduleExpression: 'cron(0 0 * * *)' },
      }),
    ),
    'InvalidParameterValueException',
    /6/,
  );

  const run = await c.send(
    new ib.StartImagePipelineExecutionCommand({ imagePipelineArn: pipeline.imagePipelineArn!, clientToken: ct() }),
  );
  assert.equal(run.imageBuildVersionArn, `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:image/my-base-image/1.0.0/1`);
  const image = await c.send(new ib.GetImageCommand({ imageBuildVersionArn: run.imageBuildVersionArn! }));
  assert.equal(image.image?.state?.status, 'PENDING'); // no worker in this process: honest status
  assert.equal(image.image?.sourcePipelineArn, pipeline.imagePipelineArn);
  assert.equal(image.image?.imageRecipe?.arn, recipe.imageRecipeArn);
  assert.equal(image.image?.distributionConfiguration?.distributions?.length, 2);
  const pipelineImages = await c.send(
    new ib.ListImagePipelineImagesCommand({ imagePipelineArn: pipeline.imagePipelineArn! }),
  );
  assert.deepEqual(
    pipelineImages.imageSummaryList?.map((s) => s.arn),
    [run.imageBuildVersionArn],
  );

  const direct = await c.send(
    new ib.CreateImageCommand({
      imageRecipeArn: recipe.imageRecipeArn!,
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
      clientToken: ct(),
    }),
  );
  assert.match(direct.imageBuildVersionArn!, /\/my-base-image\/1\.0\.0\/2$/);
  const versions = await c.send(
    new ib.ListImageBuildVersionsCommand({
      imageVersionArn: `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:image/my-base-image/1.0.0`,
    }),
  );
  assert.equal(versions.imageSummaryList?.length, 2);
  await rejectsWith(
    c.send(new ib.DeleteImageCommand({ imageBuildVersionArn: direct.imageBuildVersionArn! })),
    'ResourceDependencyException',
    /cancel/,
  );
  await c.send(
    new ib.CancelImageCreationCommand({ imageBuildVersionArn: direct.imageBuildVersionArn!, clientToken: ct() }),
  );
  const cancelled = await c.send(new ib.GetImageCommand({ imageBuildVersionArn: direct.imageBuildVersionArn! }));
  assert.equal(cancelled.image?.state?.status, 'CANCELLED');
  await c.send(new ib.DeleteImageCommand({ imageBuildVersionArn: direct.imageBuildVersionArn! }));
  const mine = await c.send(new ib.ListImagesCommand({}));
  assert.deepEqual(
    mine.imageVersionList?.map((v) => v.arn),
    [`arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:image/my-base-image/1.0.0`],
  );

  await c.send(
    new ib.UpdateImagePipelineCommand({
      imagePipelineArn: pipeline.imagePipelineArn!,
      imageRecipeArn: auto.imageRecipeArn!,
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
      status: 'DISABLED',
      clientToken: ct(),
    }),
  );
  const gotPipeline = await c.send(new ib.GetImagePipelineCommand({ imagePipelineArn: pipeline.imagePipelineArn! }));
  assert.equal(gotPipeline.imagePipeline?.status, 'DISABLED');
  // The pipeline no longer uses the first recipe: it can go (after its image is gone).
  await c.send(new ib.DeleteImagePipelineCommand({ imagePipelineArn: pipeline.imagePipelineArn! }));
  await c.send(new ib.DeleteImageRecipeCommand({ imageRecipeArn: recipe.imageRecipeArn! }));
});

test('tags on any resource', async () => {
  const infra = await c.send(
    new ib.CreateInfrastructureConfigurationCommand({
      name: 'tagged',
      instanceProfileName: 'ingot',
      clientToken: ct(),
      tags: { team: 'platform' },
    }),
  );
  const arn = infra.infrastructureConfigurationArn!;
  await c.send(new ib.TagResourceCommand({ resourceArn: arn, tags: { env: 'prod' } }));
  assert.deepEqual((await c.send(new ib.ListTagsForResourceCommand({ resourceArn: arn }))).tags, {
    team: 'platform',
    env: 'prod',
  });
  await c.send(new ib.UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
  assert.deepEqual((await c.send(new ib.ListTagsForResourceCommand({ resourceArn: arn }))).tags, { env: 'prod' });
});

test('regions are separate, and an ARN of another region is a 400', async () => {
  const west = t.client('us-west-2');
  const list = await west.send(new ib.ListInfrastructureConfigurationsCommand({}));
  assert.deepEqual(list.infrastructureConfigurationSummaryList, []);
  await rejectsWith(
    west.send(
      new ib.GetInfrastructureConfigurationCommand({
        infrastructureConfigurationArn: `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:infrastructure-configuration/tagged`,
      }),
    ),
    'InvalidParameterValueException',
    /region/,
  );
  const westImages = await west.send(new ib.ListImagesCommand({ owner: 'Amazon' }));
  assert.ok(westImages.imageVersionList?.every((i) => i.arn?.includes(':us-west-2:aws:')));
});

test('accounts see only their own resources unless a component policy shares them', async () => {
  const other = { accessKeyId: 'AKIAINGOTTESTKEY0002', secretAccessKey: 'ingot-test-secret-key-000000000000000002' };
  await t.server.store.credentials.put({ ...other, accountId: '210987654321' });
  const o = t.client('us-east-1', other);
  const comp = await c.send(
    new ib.CreateComponentCommand({
      name: 'shared-thing',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data: HELLO,
      clientToken: ct(),
    }),
  );
  const arn = comp.componentBuildVersionArn!;
  await rejectsWith(o.send(new ib.GetComponentCommand({ componentBuildVersionArn: arn })), 'ResourceNotFoundException');
  assert.deepEqual((await o.send(new ib.ListComponentsCommand({}))).componentVersionList, []);
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::210987654321:root'] },
        Action: ['imagebuilder:GetComponent', 'imagebuilder:ListComponents'],
        Resource: [arn],
      },
    ],
  });
  await c.send(new ib.PutComponentPolicyCommand({ componentArn: arn, policy }));
  assert.equal((await c.send(new ib.GetComponentPolicyCommand({ componentArn: arn }))).policy, policy);
  assert.equal(
    (await o.send(new ib.GetComponentCommand({ componentBuildVersionArn: arn }))).component?.name,
    'shared-thing',
  );
  const shared = await o.send(new ib.ListComponentsCommand({ owner: 'Shared' }));
  assert.deepEqual(
    shared.componentVersionList?.map((v) => v.name),
    ['shared-thing'],
  );
  await rejectsWith(o.send(new ib.DeleteComponentCommand({ componentBuildVersionArn: arn })), 'ForbiddenException');
});

test('the workflow executions of an image that does not exist: ResourceNotFoundException', async () => {
  await rejectsWith(
    c.send(
      new ib.ListWorkflowExecutionsCommand({
        imageBuildVersionArn: `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:image/x/1.0.0/1`,
      }),
    ),
    'ResourceNotFoundException',
  );
});

test('the remaining operations: import, container recipes, list and delete of configurations', async () => {
  const imported = await c.send(
    new ib.ImportComponentCommand({
      name: 'imported-script',
      semanticVersion: '2.0.0',
      type: 'BUILD',
      format: 'SHELL',
      platform: 'Linux',
      data: 'echo imported',
      clientToken: ct(),
    }),
  );
  const got = await c.send(
    new ib.GetComponentCommand({ componentBuildVersionArn: imported.componentBuildVersionArn! }),
  );
  assert.match(got.component!.data!, /ExecuteBash/);
  assert.match(got.component!.data!, /echo imported/);

  const container = await c.send(
    new ib.CreateContainerRecipeCommand({
      containerType: 'DOCKER',
      name: 'web-container',
      semanticVersion: '1.0.0',
      parentImage: BASE,
      clientToken: ct(),
      components: [{ componentArn: imported.componentBuildVersionArn! }],
      dockerfileTemplateData:
        'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\nCMD ["/bin/sh"]\n',
      targetRepository: { service: 'ECR', repositoryName: 'web' },
    }),
  );
  assert.equal(
    container.containerRecipeArn,
    `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:container-recipe/web-container/1.0.0`,
  );
  const gotContainer = await c.send(
    new ib.GetContainerRecipeCommand({ containerRecipeArn: container.containerRecipeArn! }),
  );
  assert.equal(gotContainer.containerRecipe?.targetRepository?.repositoryName, 'web');
  const containers = await c.send(
    new ib.ListContainerRecipesCommand({ filters: [{ name: 'containerType', values: ['DOCKER'] }] }),
  );
  assert.deepEqual(
    containers.containerRecipeSummaryList?.map((r) => r.name),
    ['web-container'],
  );
  await rejectsWith(
    c.send(
      new ib.CreateContainerRecipeCommand({
        containerType: 'DOCKER',
        name: 'no-template',
        semanticVersion: '1.0.0',
        parentImage: BASE,
        clientToken: ct(),
        targetRepository: { service: 'ECR', repositoryName: 'x' },
      }),
    ),
    'InvalidRequestException',
    /dockerfileTemplateData/,
  );
  await c.send(new ib.DeleteContainerRecipeCommand({ containerRecipeArn: container.containerRecipeArn! }));

  const recipes = await c.send(new ib.ListImageRecipesCommand({ owner: 'Self' }));
  assert.ok(recipes.imageRecipeSummaryList!.every((r) => r.owner === TEST_ACCOUNT));
  const pipelines = await c.send(new ib.ListImagePipelinesCommand({}));
  assert.ok(Array.isArray(pipelines.imagePipelineList));

  const dist = await c.send(
    new ib.CreateDistributionConfigurationCommand({
      name: 'short-lived',
      clientToken: ct(),
      distributions: [{ region: 'us-east-1', amiDistributionConfiguration: {} }],
    }),
  );
  await c.send(
    new ib.UpdateDistributionConfigurationCommand({
      distributionConfigurationArn: dist.distributionConfigurationArn!,
      description: 'two now',
      clientToken: ct(),
      distributions: [
        { region: 'us-east-1', amiDistributionConfiguration: {} },
        { region: 'eu-central-1', amiDistributionConfiguration: {} },
      ],
    }),
  );
  const gotDist = await c.send(
    new ib.GetDistributionConfigurationCommand({ distributionConfigurationArn: dist.distributionConfigurationArn! }),
  );
  assert.deepEqual(
    gotDist.distributionConfiguration?.distributions?.map((d) => d.region),
    ['us-east-1', 'eu-central-1'],
  );
  assert.equal(gotDist.distributionConfiguration?.description, 'two now');
  await c.send(
    new ib.DeleteDistributionConfigurationCommand({ distributionConfigurationArn: dist.distributionConfigurationArn! }),
  );
  await rejectsWith(
    c.send(
      new ib.GetDistributionConfigurationCommand({ distributionConfigurationArn: dist.distributionConfigurationArn! }),
    ),
    'ResourceNotFoundException',
  );

  const infra = await c.send(
    new ib.CreateInfrastructureConfigurationCommand({
      name: 'short-lived-infra',
      instanceProfileName: 'ingot',
      clientToken: ct(),
    }),
  );
  await c.send(
    new ib.DeleteInfrastructureConfigurationCommand({
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
    }),
  );
  await rejectsWith(
    c.send(
      new ib.DeleteInfrastructureConfigurationCommand({
        infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
      }),
    ),
    'ResourceNotFoundException',
  );
});

test('a restarted server has everything it had', async () => {
  const before = await c.send(new ib.ListComponentsCommand({}));
  await t.restart();
  c = t.client();
  const afterRestart = await c.send(new ib.ListComponentsCommand({}));
  assert.deepEqual(afterRestart.componentVersionList, before.componentVersionList);
  const img = await c.send(
    new ib.GetImageCommand({
      imageBuildVersionArn: `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:image/my-base-image/1.0.0/1`,
    }),
  );
  assert.equal(img.image?.state?.status, 'PENDING');
});
