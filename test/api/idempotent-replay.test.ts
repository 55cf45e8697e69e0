/**
 * @module clientToken replays of every operation that takes one, through the real SDK against a
 * real server (outputs validated against the model) with a real worker: the retried request gets
 * the first answer again (with this request's requestId where the output shape has one, and none
 * where it has not), never a 500. The images are built on a tiny imported disk so builds are quick.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadServiceModel } from '../../src/model/service-model.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeDisk, tinyRootfs } from '../helpers/tiny-rootfs.ts';

const hasTools = ['qemu-img', 'mkfs.ext4', 'debugfs', 'zstd'].every((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
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
let n = 0;
const ct = () => `replay-${process.pid}-${++n}`;
const model = loadServiceModel();
const replayed = new Set<string>();

type Output = { $metadata: { requestId?: string }; requestId?: string };

/**
 * Sends `input` twice with the same clientToken: the second answer is the first one (with this
 * request's requestId if the output shape has that member), and a third with other parameters is
 * IdempotentParameterMismatchException.
 */
async function replay<I extends { clientToken?: string }, O extends Output>(
  operation: string,
  Cmd: new (input: I) => unknown,
  input: I,
  changed?: Partial<I>,
): Promise<O> {
  const request = { ...input, clientToken: ct() };
  const send = (body: I) =>
    c.send(new Cmd(body) as Parameters<ib.ImagebuilderClient['send']>[0]) as Promise<unknown> as Promise<O>;
  const first = await send(request);
  const second = await send(request);
  const shape = model.shapes[model.operations[operation]!.output!.shape]!;
  const hasRequestId = shape.type === 'structure' && 'requestId' in shape.members;
  const strip = ({ $metadata: _m, requestId: _r, ...rest }: O) => rest;
  assert.deepEqual(strip(second), strip(first), `${operation}: the replay answers as the first request did`);
  if (hasRequestId) {
    assert.equal(first.requestId, first.$metadata.requestId, `${operation}: requestId of the first request`);
    assert.equal(second.requestId, second.$metadata.requestId, `${operation}: requestId of the replayed request`);
  } else {
    assert.equal(second.requestId, undefined, `${operation}: no requestId in its output shape`);
  }
  if (changed) {
    await assert.rejects(
      send({ ...request, ...changed }),
      { name: 'IdempotentParameterMismatchException' },
      `${operation}: other parameters`,
    );
  }
  replayed.add(operation);
  return first;
}

async function waitFor(
  arn: string,
  done: (s: string) => boolean = (s) => ['AVAILABLE', 'FAILED', 'CANCELLED'].includes(s),
  timeoutMs = 300_000,
): Promise<ib.Image> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const image = (await c.send(new ib.GetImageCommand({ imageBuildVersionArn: arn }))).image!;
    if (done(image.state?.status ?? '')) return image;
    if (Date.now() > deadline) throw new Error(`image ${arn} still ${image.state?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const bashComponent = (name: string, command: string) =>
  `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n            - ${JSON.stringify(command)}\n`;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'ingot-replay-'));
  tinyRootfs(join(dir, 'root'), { dpkg: true });
  makeDisk(join(dir, 'root'), join(dir, 'disk.raw'));
  t = await startTestServer({ worker: true });
  c = t.client();
});
after(async () => {
  if (skip) return;
  await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('every operation with a clientToken answers a replay with its first answer, not a 500', {
  skip,
  timeout: 900_000,
}, async () => {
  // Configurations.
  const infra = await replay<
    ib.CreateInfrastructureConfigurationRequest,
    ib.CreateInfrastructureConfigurationResponse & Output
  >(
    'CreateInfrastructureConfiguration',
    ib.CreateInfrastructureConfigurationCommand,
    { name: 'replay-infra', instanceProfileName: 'ingot' },
    { description: 'other' },
  );
  const infraArn = infra.infrastructureConfigurationArn!;
  await replay(
    'UpdateInfrastructureConfiguration',
    ib.UpdateInfrastructureConfigurationCommand,
    { infrastructureConfigurationArn: infraArn, instanceProfileName: 'ingot', description: 'updated' },
    { description: 'other' },
  );
  const dist = await replay<
    ib.CreateDistributionConfigurationRequest,
    ib.CreateDistributionConfigurationResponse & Output
  >('CreateDistributionConfiguration', ib.CreateDistributionConfigurationCommand, {
    name: 'replay-dist',
    distributions: [{ region: 'us-east-1', amiDistributionConfiguration: {} }],
  });
  await replay('UpdateDistributionConfiguration', ib.UpdateDistributionConfigurationCommand, {
    distributionConfigurationArn: dist.distributionConfigurationArn!,
    description: 'two',
    distributions: [{ region: 'us-east-1', amiDistributionConfiguration: {} }],
  });
  const more = (
    await c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: 'replay-more',
        distributions: [{ region: 'eu-west-1', amiDistributionConfiguration: {} }],
        clientToken: ct(),
      }),
    )
  ).distributionConfigurationArn!;

  // The imported parent image.
  const imported = await replay<ib.ImportDiskImageRequest, ib.ImportDiskImageResponse & Output>(
    'ImportDiskImage',
    ib.ImportDiskImageCommand,
    {
      name: 'replay-disk',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      osVersion: 'Linux',
      infrastructureConfigurationArn: infraArn,
      uri: join(dir, 'disk.raw'),
    },
    { semanticVersion: '2.0.0' },
  );
  const parent = await waitFor(imported.imageBuildVersionArn!);
  assert.equal(parent.state?.status, 'AVAILABLE', parent.state?.reason);

  // Components and recipes.
  const quick = await replay<ib.CreateComponentRequest, ib.CreateComponentResponse & Output>(
    'CreateComponent',
    ib.CreateComponentCommand,
    {
      name: 'replay-quick',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data: bashComponent('replay-quick', 'cat /etc/golden.txt > /etc/copied'),
    },
    { semanticVersion: '1.0.1' },
  );
  const slow = (
    await c.send(
      new ib.CreateComponentCommand({
        name: 'replay-slow',
        semanticVersion: '1.0.0',
        platform: 'Linux',
        data: bashComponent('replay-slow', 'sleep 120'),
        clientToken: ct(),
      }),
    )
  ).componentBuildVersionArn!;
  await replay(
    'CreateWorkflow',
    ib.CreateWorkflowCommand,
    {
      name: 'replay-workflow',
      semanticVersion: '1.0.0',
      type: 'TEST',
      data: 'schemaVersion: 1.0\nsteps:\n  - name: Launch\n    action: LaunchInstance\n    inputs:\n      waitFor: ssmAgent\n',
    },
    { description: 'other' },
  );
  await replay('ImportComponent', ib.ImportComponentCommand, {
    name: 'replay-imported',
    semanticVersion: '1.0.0',
    type: 'BUILD',
    format: 'SHELL',
    platform: 'Linux',
    data: 'echo imported',
  });
  const recipe = await replay<ib.CreateImageRecipeRequest, ib.CreateImageRecipeResponse & Output>(
    'CreateImageRecipe',
    ib.CreateImageRecipeCommand,
    {
      name: 'replay-recipe',
      semanticVersion: '1.0.0',
      parentImage: parent.arn!,
      components: [{ componentArn: quick.componentBuildVersionArn! }],
    },
  );
  const slowRecipe = (
    await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'replay-slow',
        semanticVersion: '1.0.0',
        parentImage: parent.arn!,
        components: [{ componentArn: slow }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  await replay('CreateContainerRecipe', ib.CreateContainerRecipeCommand, {
    containerType: 'DOCKER',
    name: 'replay-container',
    semanticVersion: '1.0.0',
    parentImage: parent.arn!,
    components: [{ componentArn: quick.componentBuildVersionArn! }],
    dockerfileTemplateData: 'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n',
    targetRepository: { service: 'ECR', repositoryName: 'replay' },
  });

  // Pipelines and lifecycle policies.
  const pipeline = await replay<ib.CreateImagePipelineRequest, ib.CreateImagePipelineResponse & Output>(
    'CreateImagePipeline',
    ib.CreateImagePipelineCommand,
    {
      name: 'replay-pipeline',
      imageRecipeArn: recipe.imageRecipeArn!,
      infrastructureConfigurationArn: infraArn,
    },
    { description: 'other' },
  );
  await replay('UpdateImagePipeline', ib.UpdateImagePipelineCommand, {
    imagePipelineArn: pipeline.imagePipelineArn!,
    imageRecipeArn: recipe.imageRecipeArn!,
    infrastructureConfigurationArn: infraArn,
    description: 'updated',
  });
  const policy = {
    executionRole: 'ingot',
    resourceType: 'AMI_IMAGE' as const,
    resourceSelection: { recipes: [{ name: 'replay-recipe', semanticVersion: '1.0.0' }] },
    policyDetails: [{ action: { type: 'DELETE' as const }, filter: { type: 'COUNT' as const, value: 5 } }],
  };
  const lifecycle = await replay<ib.CreateLifecyclePolicyRequest, ib.CreateLifecyclePolicyResponse & Output>(
    'CreateLifecyclePolicy',
    ib.CreateLifecyclePolicyCommand,
    { name: 'replay-policy', status: 'DISABLED', ...policy },
    { description: 'other' },
  );
  await replay(
    'UpdateLifecyclePolicy',
    ib.UpdateLifecyclePolicyCommand,
    { lifecyclePolicyArn: lifecycle.lifecyclePolicyArn!, status: 'DISABLED', description: 'updated', ...policy },
    { description: 'other' },
  );

  // Images: a build, then DistributeImage and StartResourceStateUpdate of it.
  const image = await replay<ib.CreateImageRequest, ib.CreateImageResponse & Output>(
    'CreateImage',
    ib.CreateImageCommand,
    {
      imageRecipeArn: recipe.imageRecipeArn!,
      infrastructureConfigurationArn: infraArn,
      distributionConfigurationArn: dist.distributionConfigurationArn!,
    },
    { distributionConfigurationArn: more },
  );
  const built = await waitFor(image.imageBuildVersionArn!);
  assert.equal(built.state?.status, 'AVAILABLE', built.state?.reason);
  await replay(
    'DistributeImage',
    ib.DistributeImageCommand,
    { sourceImage: built.arn!, distributionConfigurationArn: more, executionRole: 'ingot' },
    { tags: { other: 'yes' } },
  );
  const distributed = await waitFor(built.arn!);
  assert.equal(distributed.state?.status, 'AVAILABLE', distributed.state?.reason);
  assert.deepEqual(
    distributed.outputResources?.amis?.map((a) => a.region),
    ['us-east-1', 'eu-west-1'],
  );
  await replay(
    'StartResourceStateUpdate',
    ib.StartResourceStateUpdateCommand,
    { resourceArn: built.arn!, state: { status: 'DEPRECATED' }, executionRole: 'ingot' },
    { state: { status: 'DISABLED' } },
  );
  assert.equal(
    (await c.send(new ib.GetImageCommand({ imageBuildVersionArn: built.arn! }))).image?.state?.status,
    'DEPRECATED',
  );

  const run = await replay<ib.StartImagePipelineExecutionRequest, ib.StartImagePipelineExecutionResponse & Output>(
    'StartImagePipelineExecution',
    ib.StartImagePipelineExecutionCommand,
    { imagePipelineArn: pipeline.imagePipelineArn! },
  );
  const fromPipeline = await waitFor(run.imageBuildVersionArn!);
  assert.equal(fromPipeline.state?.status, 'AVAILABLE', fromPipeline.state?.reason);

  // A slow build: CancelImageCreation while it runs, then RetryImage of the cancelled image.
  const slowImage = (
    await c.send(
      new ib.CreateImageCommand({
        imageRecipeArn: slowRecipe,
        infrastructureConfigurationArn: infraArn,
        clientToken: ct(),
      }),
    )
  ).imageBuildVersionArn!;
  await waitFor(slowImage, (s) => s === 'BUILDING');
  await replay('CancelImageCreation', ib.CancelImageCreationCommand, { imageBuildVersionArn: slowImage });
  assert.equal((await waitFor(slowImage)).state?.status, 'CANCELLED');
  await replay('RetryImage', ib.RetryImageCommand, { imageBuildVersionArn: slowImage });
  await c.send(new ib.CancelImageCreationCommand({ imageBuildVersionArn: slowImage, clientToken: ct() }));
  assert.equal((await waitFor(slowImage)).state?.status, 'CANCELLED');

  // Every operation of the model with a clientToken member that Ingot implements was replayed here.
  const withToken = Object.entries(model.operations)
    .filter(
      ([, op]) => op.input && 'clientToken' in ((model.shapes[op.input.shape] as { members?: object }).members ?? {}),
    )
    .map(([name]) => name);
  assert.deepEqual(
    withToken.filter((name) => !replayed.has(name) && !NOT_REPLAYED.has(name)),
    [],
    'every implemented operation with a clientToken is replayed',
  );
});

/** Operations with a clientToken that answer an error here: NotImplementedException, ImportVmImage's refusal (docs/api.md), CancelLifecycleExecution (needs an execution in progress; tested in policies-and-rest.test.ts). */
const NOT_REPLAYED = new Set(['CancelLifecycleExecution', 'SendWorkflowStepAction', 'ImportVmImage']);
