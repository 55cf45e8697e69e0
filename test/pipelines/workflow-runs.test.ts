/**
 * @module Image builds as workflows, through a real server and worker (sandbox builds): the managed
 * BUILD/TEST/DISTRIBUTION workflows list every step with its timing; a custom build workflow with a
 * WaitForAction gate pauses the pipeline build until `aws imagebuilder send-workflow-step-action
 * --action RESUME`, and STOP fails it with the reason; TEST workflows of one parallelGroup run
 * together; RetryImage after a failed distribution runs only the distribution again.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { addServedModel } from '../helpers/aws-cli.ts';
import {
  BASE,
  createComponent,
  ct,
  skipUnlessRoot,
  startPipelineServer,
  TEST_KEY,
  waitForImage,
  type PipelineServer,
} from './helpers.ts';

const run = promisify(execFile);

/** The first aws CLI on PATH (its imagebuilder model is replaced by the repository's in `before`). */
function firstAws(): string | undefined {
  try {
    return execFileSync('which', ['aws'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const AWS = skipUnlessRoot ? undefined : firstAws();
let t: PipelineServer;
let recipeArn: string;
let infraArn: string;
let cliHome: string;

const GATED_BUILD = `schemaVersion: 1.0
parameters:
  - name: gateMessage
    type: string
    default: approve the build
steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    inputs:
      waitFor: ssmAgent
  - name: ApplyBuildComponents
    action: ExecuteComponents
    inputs:
      instanceId.$: $.stepOutputs.LaunchBuildInstance.instanceId
  - name: Approval
    action: WaitForAction
    inputs:
      payload: "{{ $.parameters.gateMessage }} of {{ $.imagebuilder.imageName }}"
  - name: OnlyForDocker
    action: SanitizeInstance
    if:
      stringEquals: Docker
      value: $.imagebuilder.imageType
    inputs:
      instanceId.$: $.stepOutputs.LaunchBuildInstance.instanceId
  - name: CreateOutputImage
    action: CreateImage
    inputs:
      instanceId.$: $.stepOutputs.LaunchBuildInstance.instanceId
  - name: TerminateBuildInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: $.stepOutputs.LaunchBuildInstance.instanceId
outputs:
  - name: ImageId
    value: $.stepOutputs.CreateOutputImage.imageId
`;

const TEST_WF = `schemaVersion: 1.0
steps:
  - name: LaunchTestInstance
    action: LaunchInstance
    inputs:
      waitFor: ssmAgent
  - name: RunTestComponents
    action: ExecuteComponents
    inputs:
      instanceId.$: $.stepOutputs.LaunchTestInstance.instanceId
  - name: CheckOutput
    action: SanitizeInstance
    if:
      not:
        stringEquals: ""
        value: $.workflowOutputs.ImageId
    inputs:
      instanceId.$: $.stepOutputs.LaunchTestInstance.instanceId
  - name: TerminateTestInstance
    action: TerminateInstance
    inputs:
      instanceId.$: $.stepOutputs.LaunchTestInstance.instanceId
`;

const GATED_DISTRIBUTION = `schemaVersion: 1.0
steps:
  - name: Release
    action: WaitForAction
    inputs: {}
  - name: Distribute
    action: DistributeImage
    inputs: {}
`;

before(async () => {
  if (skipUnlessRoot) return;
  t = await startPipelineServer({ worker: true });
  cliHome = mkdtempSync(join(tmpdir(), 'wf-engine-cli-'));
  // Debian's aws CLI (2.9) predates the workflow step operations: it gets the model Ingot serves.
  if (AWS) addServedModel(AWS, cliHome);
  const c = t.client;
  const component = await createComponent(c, 'wf-comp', '1.0.0', ['echo built > /built.txt']);
  recipeArn = (
    await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'wf-recipe',
        semanticVersion: '1.0.0',
        parentImage: BASE,
        components: [{ componentArn: component }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  infraArn = (
    await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'wf-infra',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
});
after(async () => {
  await t?.stop();
  if (cliHome) rmSync(cliHome, { recursive: true, force: true });
});

async function workflow(name: string, type: ib.WorkflowType, data: string): Promise<string> {
  return (
    await t.client.send(new ib.CreateWorkflowCommand({ name, semanticVersion: '1.0.0', type, data, clientToken: ct() }))
  ).workflowBuildVersionArn!;
}

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: cliHome,
    AWS_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(cliHome, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(cliHome, 'none'),
    AWS_PAGER: '',
  };
  const { stdout } = await run(AWS!, ['imagebuilder', ...args, '--endpoint-url', t.server.url, '--output', 'json'], {
    env,
  });
  return JSON.parse(stdout || '{}') as Record<string, unknown>;
}

async function waitingStep(image: string, timeoutMs = 120_000): Promise<ib.WorkflowStepExecution> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { steps } = await t.client.send(new ib.ListWaitingWorkflowStepsCommand({}));
    const step = steps?.find((s) => s.imageBuildVersionArn === image);
    if (step) return step;
    const status = (await t.client.send(new ib.GetImageCommand({ imageBuildVersionArn: image }))).image?.state;
    if (status?.status === 'FAILED') assert.fail(`the image failed: ${status.reason}`);
    if (Date.now() > deadline) assert.fail('no step of the image is waiting');
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function executions(image: string) {
  return (
    (await t.client.send(new ib.ListWorkflowExecutionsCommand({ imageBuildVersionArn: image }))).workflowExecutions ??
    []
  );
}

async function steps(executionId: string) {
  return (
    (await t.client.send(new ib.ListWorkflowStepExecutionsCommand({ workflowExecutionId: executionId }))).steps ?? []
  );
}

async function pipeline(name: string, workflows?: ib.WorkflowConfiguration[]): Promise<string> {
  return (
    await t.client.send(
      new ib.CreateImagePipelineCommand({
        name,
        imageRecipeArn: recipeArn,
        infrastructureConfigurationArn: infraArn,
        ...(workflows ? { workflows } : {}),
        clientToken: ct(),
      }),
    )
  ).imagePipelineArn!;
}

const start = async (pipelineArn: string) =>
  (await t.client.send(new ib.StartImagePipelineExecutionCommand({ imagePipelineArn: pipelineArn, clientToken: ct() })))
    .imageBuildVersionArn!;

test('the managed workflows run every build; their step executions list every step with its duration', {
  skip: skipUnlessRoot,
}, async () => {
  const image = await start(await pipeline('wf-managed'));
  assert.equal((await waitForImage(t.client, image)).state?.status, 'AVAILABLE');
  const runs = await executions(image);
  assert.deepEqual(
    runs.map((r) => [r.type, r.status, r.workflowBuildVersionArn?.split(':').pop()]),
    [
      ['BUILD', 'COMPLETED', 'workflow/build/build-image/1.0.0/1'],
      ['TEST', 'COMPLETED', 'workflow/test/test-image/1.0.0/1'],
      ['DISTRIBUTION', 'COMPLETED', 'workflow/distribution/distribute-image/1.0.0/1'],
    ],
  );
  const build = await steps(runs[0]!.workflowExecutionId!);
  assert.deepEqual(
    build.map((s) => [s.name, s.action, s.status]),
    [
      ['LaunchBuildInstance', 'LaunchInstance', 'COMPLETED'],
      ['ApplyBuildComponents', 'ExecuteComponents', 'COMPLETED'],
      ['CreateOutputImage', 'CreateImage', 'COMPLETED'],
      ['TerminateBuildInstance', 'TerminateInstance', 'COMPLETED'],
    ],
  );
  for (const s of build) {
    const ms = Date.parse(s.endTime!) - Date.parse(s.startTime!);
    assert.ok(ms >= 0, `${s.name} has a start and an end`);
  }
  const apply = build[1]!;
  assert.ok(Date.parse(apply.endTime!) > Date.parse(apply.startTime!), 'running the components took time');
  assert.equal(JSON.parse(apply.inputs!).instanceId, JSON.parse(build[0]!.outputs!).instanceId);
  const one = await t.client.send(
    new ib.GetWorkflowStepExecutionCommand({ stepExecutionId: build[2]!.stepExecutionId! }),
  );
  assert.equal(JSON.parse(one.outputs!).imageId, image);
  assert.equal(one.workflowExecutionId, runs[0]!.workflowExecutionId);
  const got = await t.client.send(
    new ib.GetWorkflowExecutionCommand({ workflowExecutionId: runs[0]!.workflowExecutionId! }),
  );
  assert.equal(got.totalStepsSucceeded, 4);
  assert.equal(got.imageBuildVersionArn, image);
  const dist = await steps(runs[2]!.workflowExecutionId!);
  assert.equal(JSON.parse(dist[0]!.outputs!).distributedImages.length, 1);
});

test('a WaitForAction gate pauses a pipeline build until the aws CLI sends RESUME; STOP fails it with the reason', {
  skip: skipUnlessRoot || (!AWS && 'no aws CLI on PATH'),
}, async () => {
  const gated = await workflow('approval', 'BUILD', GATED_BUILD);
  const arn = await pipeline('wf-gated', [
    { workflowArn: gated, parameters: [{ name: 'gateMessage', value: ['please approve'] }] },
  ]);
  const image = await start(arn);
  const step = await waitingStep(image);
  assert.equal(step.name, 'Approval');
  await new Promise((r) => setTimeout(r, 1500));
  const paused = (await t.client.send(new ib.GetImageCommand({ imageBuildVersionArn: image }))).image!;
  assert.equal(paused.state?.status, 'BUILDING', 'the build waits at the gate');
  const waiting = await t.client.send(
    new ib.GetWorkflowStepExecutionCommand({ stepExecutionId: step.stepExecutionId! }),
  );
  assert.equal(JSON.parse(waiting.inputs!).payload, 'please approve of wf-recipe');
  const sent = await aws(
    'send-workflow-step-action',
    '--step-execution-id',
    step.stepExecutionId!,
    '--image-build-version-arn',
    image,
    '--action',
    'RESUME',
    '--reason',
    'looks good',
  );
  assert.equal(sent['stepExecutionId'], step.stepExecutionId);
  assert.equal((await waitForImage(t.client, image)).state?.status, 'AVAILABLE');
  const [build] = await executions(image);
  const all = await steps(build!.workflowExecutionId!);
  assert.deepEqual(
    all.map((s) => s.status),
    ['COMPLETED', 'COMPLETED', 'COMPLETED', 'SKIPPED', 'COMPLETED', 'COMPLETED'],
  );
  assert.deepEqual(JSON.parse(all[2]!.outputs!), { action: 'RESUME', reason: 'looks good' });
  const listed = await t.client.send(
    new ib.ListWorkflowStepExecutionsCommand({ workflowExecutionId: build!.workflowExecutionId!, maxResults: 4 }),
  );
  assert.equal(listed.steps?.length, 4);
  assert.ok(listed.nextToken, 'a second page follows');

  const second = await start(arn);
  const stop = await waitingStep(second);
  await aws(
    'send-workflow-step-action',
    '--step-execution-id',
    stop.stepExecutionId!,
    '--image-build-version-arn',
    second,
    '--action',
    'STOP',
    '--reason',
    'not approved by QA',
  );
  const failed = await waitForImage(t.client, second);
  assert.equal(failed.state?.status, 'FAILED');
  assert.match(failed.state?.reason ?? '', /Approval.*not approved by QA/);
  const [stopped] = await executions(second);
  assert.equal(stopped!.status, 'FAILED');
  const after = await steps(stopped!.workflowExecutionId!);
  assert.deepEqual(
    after.map((s) => s.status),
    ['COMPLETED', 'COMPLETED', 'FAILED', 'CANCELLED', 'CANCELLED', 'CANCELLED'],
  );
  assert.equal(after[0]!.rollbackStatus, 'COMPLETED', 'the launched instance is rolled back');
});

test('TEST workflows of one parallelGroup run together, another group after them', {
  skip: skipUnlessRoot,
}, async () => {
  const a = await workflow('tests-a', 'TEST', TEST_WF);
  const b = await workflow('tests-b', 'TEST', TEST_WF);
  const c = await workflow('tests-c', 'TEST', TEST_WF);
  const image = await start(
    await pipeline('wf-parallel', [
      { workflowArn: a, parallelGroup: 'g1' },
      { workflowArn: b, parallelGroup: 'g1' },
      { workflowArn: c, parallelGroup: 'g2' },
    ]),
  );
  assert.equal((await waitForImage(t.client, image)).state?.status, 'AVAILABLE');
  const runs = await executions(image);
  assert.deepEqual(
    runs.map((r) => [r.type, r.parallelGroup, r.status]),
    [
      ['BUILD', undefined, 'COMPLETED'],
      ['TEST', 'g1', 'COMPLETED'],
      ['TEST', 'g1', 'COMPLETED'],
      ['TEST', 'g2', 'COMPLETED'],
      ['DISTRIBUTION', undefined, 'COMPLETED'],
    ],
  );
  const [ra, rb, rc] = runs.slice(1, 4);
  const ms = (s?: string) => Date.parse(s!);
  assert.ok(ms(ra!.startTime) <= ms(rb!.endTime) && ms(rb!.startTime) <= ms(ra!.endTime), 'g1 workflows overlap');
  assert.ok(ms(rc!.startTime) >= ms(ra!.endTime) && ms(rc!.startTime) >= ms(rb!.endTime), 'g2 runs after g1');
  for (const r of [ra, rb, rc]) {
    const s = await steps(r!.workflowExecutionId!);
    assert.deepEqual(
      s.map((x) => x.status),
      ['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED'],
      'the BUILD output ImageId reached the test workflows',
    );
  }
});

test('RetryImage after a failed distribution runs only the distribution again (a named list without TEST workflows runs no tests)', {
  skip: skipUnlessRoot,
}, async () => {
  const gated = await workflow('gated-release', 'DISTRIBUTION', GATED_DISTRIBUTION);
  const image = await start(await pipeline('wf-retry', [{ workflowArn: gated }]));
  const first = await waitingStep(image);
  await t.client.send(
    new ib.SendWorkflowStepActionCommand({
      stepExecutionId: first.stepExecutionId!,
      imageBuildVersionArn: image,
      action: 'STOP',
      reason: 'region closed',
      clientToken: ct(),
    }),
  );
  const failed = await waitForImage(t.client, image);
  assert.equal(failed.state?.status, 'FAILED');
  assert.match(failed.state?.reason ?? '', /Distribution to workflow step 'Release' failed.*region closed/);
  await t.client.send(new ib.RetryImageCommand({ imageBuildVersionArn: image, clientToken: ct() }));
  const again = await waitingStep(image);
  assert.notEqual(again.stepExecutionId, first.stepExecutionId);
  await t.client.send(
    new ib.SendWorkflowStepActionCommand({
      stepExecutionId: again.stepExecutionId!,
      imageBuildVersionArn: image,
      action: 'RESUME',
      clientToken: ct(),
    }),
  );
  assert.equal((await waitForImage(t.client, image)).state?.status, 'AVAILABLE');
  const runs = await executions(image);
  assert.deepEqual(
    runs.map((r) => [r.type, r.status, r.retried]),
    [
      ['BUILD', 'COMPLETED', false],
      ['DISTRIBUTION', 'FAILED', false],
      ['DISTRIBUTION', 'COMPLETED', true],
    ],
  );
});

test('CancelImageCreation during a WaitForAction gate cancels the image and the waiting step', {
  skip: skipUnlessRoot,
}, async () => {
  const gated = await workflow('approval-cancel', 'BUILD', GATED_BUILD);
  const image = await start(await pipeline('wf-cancel', [{ workflowArn: gated }]));
  const step = await waitingStep(image);
  await t.client.send(new ib.CancelImageCreationCommand({ imageBuildVersionArn: image, clientToken: ct() }));
  assert.equal((await waitForImage(t.client, image)).state?.status, 'CANCELLED');
  const deadline = Date.now() + 30_000;
  let got = await t.client.send(new ib.GetWorkflowStepExecutionCommand({ stepExecutionId: step.stepExecutionId! }));
  while (got.status !== 'CANCELLED' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    got = await t.client.send(new ib.GetWorkflowStepExecutionCommand({ stepExecutionId: step.stepExecutionId! }));
  }
  assert.equal(got.status, 'CANCELLED');
  const { steps } = await t.client.send(new ib.ListWaitingWorkflowStepsCommand({}));
  assert.ok(!steps?.some((s) => s.imageBuildVersionArn === image), 'nothing of the image waits any more');
});
