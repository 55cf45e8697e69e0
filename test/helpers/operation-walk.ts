/**
 * @module Test support: a walk through every operation of the Image Builder model with realistic
 * inputs (each step creates what the later ones use), run by any client (the JS SDK, the aws CLI),
 * checking each answer against the operation's output shape. The operations not answered yet are
 * listed once, in EXPECTED_MISSING; the operations refused on purpose, in BY_DESIGN.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageOutputDir } from '../../src/artifacts/output-dirs.ts';
import type { TestServer } from './server.ts';

/**
 * Operations that still answer NotImplementedException (501). The walk fails when one of these
 * starts answering, or when an operation outside this list does not: shrink it as they land.
 */
export const EXPECTED_MISSING: readonly string[] = [];

/** Operations whose realistic call is refused on purpose (docs/api.md), with the modelled error they answer. */
export const BY_DESIGN: Readonly<Record<string, string>> = {
  // It names an EC2 VM Import task; Ingot has no EC2 (ImportDiskImage imports a disk file instead).
  ImportVmImage: 'ClientException',
  // Ingot has no AWS Marketplace.
  GetMarketplaceResource: 'InvalidRequestException',
};

/** The error type a Caller reports when the client itself has no such operation (an older CLI's model). */
export const CLIENT_LACKS_OPERATION = 'ClientLacksOperation';

export type Outcome =
  | { ok: true; output: Record<string, unknown>; problems: string | undefined }
  | { ok: false; type: string; message: string };

/** Calls one operation with a JSON input (member names as in the model) and checks the answer. */
export type Caller = (operation: string, input: Record<string, unknown>) => Promise<Outcome>;

type Refs = Record<string, string>;
interface Env {
  t: TestServer;
  sdk: ib.ImagebuilderClient;
  r: Refs;
  s: string;
  dir: string;
}
interface Step {
  op: string;
  input: (e: Env) => Record<string, unknown>;
  /** Keeps ARNs/ids of the output for later steps. */
  save?: (out: Record<string, unknown>, e: Env) => void | Promise<void>;
  /** Arranges what a worker would have done by then (this server runs none). */
  before?: (e: Env) => Promise<void>;
}

const PARENT = 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x';
const ct = () => randomUUID();
const COMPONENT = (name: string) =>
  `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: hello\n        action: ExecuteBash\n        inputs:\n          commands: ["echo hello"]\n`;
const WORKFLOW = `name: walk-test
schemaVersion: 1.0
steps:
  - name: LaunchTestInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: ssmAgent
  - name: RunTests
    action: RunCommand
    inputs:
      documentName: AWS-RunShellScript
      instanceId.$: $.stepOutputs.LaunchTestInstance.instanceId
      parameters:
        commands: ["true"]
  - name: TerminateTestInstance
    action: TerminateInstance
    inputs:
      instanceId.$: $.stepOutputs.LaunchTestInstance.instanceId
`;
const policy = (arn: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: ['210987654321'] }, Action: 'imagebuilder:Get*', Resource: arn }],
  });
const lifecycle = (e: Env) => ({
  executionRole: 'ingot',
  resourceType: 'AMI_IMAGE',
  resourceSelection: { recipes: [{ name: `walk-${e.s}-recipe`, semanticVersion: '1.0.0' }] },
  policyDetails: [{ action: { type: 'DELETE' }, filter: { type: 'COUNT', value: 5 } }],
});
const distributions = (e: Env, description: string) => ({
  description,
  distributions: [
    { region: 'us-east-1', amiDistributionConfiguration: { name: `walk-${e.s}-{{ imagebuilder:buildDate }}` } },
  ],
});

/** Sends one operation by name with the SDK (`${op}Command`). */
export async function sdkCall(sdk: ib.ImagebuilderClient, op: string, input: object): Promise<Record<string, unknown>> {
  const Command = (ib as unknown as Record<string, new (i: object) => object>)[`${op}Command`]!;
  return (await sdk.send(new Command(input) as never)) as unknown as Record<string, unknown>;
}

/** Marks an image AVAILABLE with an SBOM, as a finished build leaves it. */
async function settle(e: Env, arn: string): Promise<void> {
  const store = e.t.server.store;
  for (const job of await store.jobs.byResource(arn)) await store.jobs.cancel(job.id, 'walk: built by the test');
  const record = (await store.resources.get<Record<string, unknown>>(arn))!;
  await store.resources.update(arn, { ...record.doc, state: { status: 'AVAILABLE' } });
  const out = imageOutputDir(e.t.home, arn);
  mkdirSync(out, { recursive: true });
  const deb = (name: string, v: string) => ({ SPDXID: `SPDXRef-Package-deb-${name}-amd64`, name, versionInfo: v });
  writeFileSync(
    join(out, 'sbom.spdx.json'),
    JSON.stringify({ packages: [deb('bash', '5.2.15-2+b7'), deb('coreutils', '9.1-1')] }),
  );
}

/**
 * The workflow executions a build leaves (this server runs no worker): a finished BUILD execution,
 * and a DISTRIBUTION one whose WaitForAction step waits (saved as r.waitingStep), as the worker
 * records them (src/worker/workflows/run-workflow.ts).
 */
async function workflowRecords(e: Env, imageArn: string): Promise<void> {
  const store = e.t.server.store;
  const at = new Date().toISOString();
  const account = imageArn.split(':')[4]!;
  const base = { imageArn, account, startedAt: at };
  const build = {
    ...base,
    id: `wf-${randomUUID()}`,
    workflowArn: 'arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/1.0.0/1',
  };
  const stepDoc = { startTime: at, endTime: at, onFailure: 'Abort', timeoutSeconds: 4500 };
  await store.workflowExecutions.putExecution({
    ...build,
    status: 'COMPLETED',
    doc: {
      type: 'BUILD',
      totalStepCount: 1,
      totalStepsSucceeded: 1,
      totalStepsFailed: 0,
      totalStepsSkipped: 0,
      startTime: at,
      endTime: at,
      retried: false,
    },
  });
  await store.workflowExecutions.putStep({
    ...build,
    id: `step-${randomUUID()}`,
    executionId: build.id,
    seq: 0,
    status: 'COMPLETED',
    doc: {
      ...stepDoc,
      name: 'LaunchBuildInstance',
      action: 'LaunchInstance',
      inputs: '{"waitFor":"ssmAgent"}',
      outputs: '{"instanceId":"i-0123456789abcdef0"}',
    },
  });
  const dist = {
    ...base,
    id: `wf-${randomUUID()}`,
    workflowArn: 'arn:aws:imagebuilder:us-east-1:aws:workflow/distribution/distribute-image/1.0.0/1',
  };
  await store.workflowExecutions.putExecution({
    ...dist,
    status: 'RUNNING',
    doc: {
      type: 'DISTRIBUTION',
      totalStepCount: 1,
      totalStepsSucceeded: 0,
      totalStepsFailed: 0,
      totalStepsSkipped: 0,
      startTime: at,
      retried: false,
    },
  });
  const waiting = `step-${randomUUID()}`;
  await store.workflowExecutions.putStep({
    ...dist,
    id: waiting,
    executionId: dist.id,
    seq: 0,
    status: 'WAITING',
    doc: {
      startTime: at,
      name: 'Approve',
      action: 'WaitForAction',
      inputs: '{}',
      onFailure: 'Abort',
      timeoutSeconds: 259200,
    },
  });
  e.r['waitingStep'] = waiting;
}

const STEPS: Step[] = [
  // components
  {
    op: 'CreateComponent',
    input: (e) => ({
      name: `walk-${e.s}-c`,
      semanticVersion: '1.0.0',
      platform: 'Linux',
      description: 'the walk',
      supportedOsVersions: ['Debian 12'],
      data: COMPONENT('hello'),
      tags: { team: 'walk' },
      clientToken: ct(),
    }),
    save: (o, e) => void (e.r['component'] = o['componentBuildVersionArn'] as string),
  },
  {
    op: 'ImportComponent',
    input: (e) => ({
      name: `walk-${e.s}-imported`,
      semanticVersion: '1.0.0',
      type: 'BUILD',
      format: 'SHELL',
      platform: 'Linux',
      data: 'echo imported',
      clientToken: ct(),
    }),
    save: (o, e) => void (e.r['imported'] = o['componentBuildVersionArn'] as string),
  },
  { op: 'GetComponent', input: (e) => ({ componentBuildVersionArn: e.r['component'] }) },
  { op: 'ListComponents', input: (e) => ({ filters: [{ name: 'name', values: [`walk-${e.s}-c`] }], maxResults: 5 }) },
  {
    op: 'ListComponentBuildVersions',
    input: (e) => ({ componentVersionArn: e.r['component']!.replace(/\/\d+$/, '') }),
  },
  { op: 'PutComponentPolicy', input: (e) => ({ componentArn: e.r['component'], policy: policy(e.r['component']!) }) },
  { op: 'GetComponentPolicy', input: (e) => ({ componentArn: e.r['component'] }) },
  // image recipes
  {
    op: 'CreateImageRecipe',
    input: (e) => ({
      name: `walk-${e.s}-recipe`,
      semanticVersion: '1.0.0',
      parentImage: PARENT,
      components: [{ componentArn: e.r['component'] }],
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 8, volumeType: 'gp3' } }],
      clientToken: ct(),
    }),
    save: (o, e) => void (e.r['recipe'] = o['imageRecipeArn'] as string),
  },
  { op: 'GetImageRecipe', input: (e) => ({ imageRecipeArn: e.r['recipe'] }) },
  { op: 'ListImageRecipes', input: () => ({ owner: 'Self' }) },
  { op: 'PutImageRecipePolicy', input: (e) => ({ imageRecipeArn: e.r['recipe'], policy: policy(e.r['recipe']!) }) },
  { op: 'GetImageRecipePolicy', input: (e) => ({ imageRecipeArn: e.r['recipe'] }) },
  // container recipes
  {
    op: 'CreateContainerRecipe',
    input: (e) => ({
      containerType: 'DOCKER',
      name: `walk-${e.s}-container`,
      semanticVersion: '1.0.0',
      parentImage: PARENT,
      components: [{ componentArn: e.r['imported'] }],
      dockerfileTemplateData: 'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n',
      targetRepository: { service: 'ECR', repositoryName: `walk-${e.s}` },
      clientToken: ct(),
    }),
    save: (o, e) => void (e.r['container'] = o['containerRecipeArn'] as string),
  },
  { op: 'GetContainerRecipe', input: (e) => ({ containerRecipeArn: e.r['container'] }) },
  { op: 'ListContainerRecipes', input: () => ({ filters: [{ name: 'containerType', values: ['DOCKER'] }] }) },
  {
    op: 'PutContainerRecipePolicy',
    input: (e) => ({ containerRecipeArn: e.r['container'], policy: policy(e.r['container']!) }),
  },
  { op: 'GetContainerRecipePolicy', input: (e) => ({ containerRecipeArn: e.r['container'] }) },
  // infrastructure and distribution configurations
  {
    op: 'CreateInfrastructureConfiguration',
    input: (e) => ({ name: `walk-${e.s}-infra`, instanceProfileName: 'ingot', clientToken: ct() }),
    save: (o, e) => void (e.r['infra'] = o['infrastructureConfigurationArn'] as string),
  },
  {
    op: 'UpdateInfrastructureConfiguration',
    input: (e) => ({
      infrastructureConfigurationArn: e.r['infra'],
      instanceProfileName: 'ingot',
      description: 'updated by the walk',
      terminateInstanceOnFailure: true,
      clientToken: ct(),
    }),
  },
  { op: 'GetInfrastructureConfiguration', input: (e) => ({ infrastructureConfigurationArn: e.r['infra'] }) },
  { op: 'ListInfrastructureConfigurations', input: () => ({}) },
  {
    op: 'CreateDistributionConfiguration',
    input: (e) => ({ name: `walk-${e.s}-dist`, ...distributions(e, 'first'), clientToken: ct() }),
    save: (o, e) => void (e.r['dist'] = o['distributionConfigurationArn'] as string),
  },
  {
    op: 'UpdateDistributionConfiguration',
    input: (e) => ({ distributionConfigurationArn: e.r['dist'], ...distributions(e, 'second'), clientToken: ct() }),
  },
  { op: 'GetDistributionConfiguration', input: (e) => ({ distributionConfigurationArn: e.r['dist'] }) },
  { op: 'ListDistributionConfigurations', input: () => ({}) },
  // workflows
  {
    op: 'CreateWorkflow',
    input: (e) => ({
      name: `walk-${e.s}-workflow`,
      semanticVersion: '1.0.0',
      type: 'TEST',
      data: WORKFLOW,
      clientToken: ct(),
    }),
    save: (o, e) => void (e.r['workflow'] = o['workflowBuildVersionArn'] as string),
  },
  { op: 'GetWorkflow', input: (e) => ({ workflowBuildVersionArn: e.r['workflow'] }) },
  { op: 'ListWorkflows', input: () => ({ owner: 'Amazon' }) },
  { op: 'ListWorkflowBuildVersions', input: (e) => ({ workflowVersionArn: e.r['workflow']!.replace(/\/\d+$/, '') }) },
  // pipelines
  {
    op: 'CreateImagePipeline',
    input: (e) => ({
      name: `walk-${e.s}-pipeline`,
      imageRecipeArn: e.r['recipe'],
      infrastructureConfigurationArn: e.r['infra'],
      distributionConfigurationArn: e.r['dist'],
      schedule: { scheduleExpression: 'cron(0 0 * * ? *)' },
      status: 'ENABLED',
      clientToken: ct(),
    }),
    save: (o, e) => void (e.r['pipeline'] = o['imagePipelineArn'] as string),
  },
  {
    op: 'UpdateImagePipeline',
    input: (e) => ({
      imagePipelineArn: e.r['pipeline'],
      imageRecipeArn: e.r['recipe'],
      infrastructureConfigurationArn: e.r['infra'],
      distributionConfigurationArn: e.r['dist'],
      description: 'updated by the walk',
      status: 'DISABLED',
      clientToken: ct(),
    }),
  },
  { op: 'GetImagePipeline', input: (e) => ({ imagePipelineArn: e.r['pipeline'] }) },
  { op: 'ListImagePipelines', input: () => ({}) },
  {
    op: 'StartImagePipelineExecution',
    input: (e) => ({ imagePipelineArn: e.r['pipeline'], clientToken: ct() }),
    save: (o, e) => void (e.r['pipelineImage'] = o['imageBuildVersionArn'] as string),
  },
  { op: 'ListImagePipelineImages', input: (e) => ({ imagePipelineArn: e.r['pipeline'] }) },
  // images
  {
    op: 'CreateImage',
    input: (e) => ({
      imageRecipeArn: e.r['recipe'],
      infrastructureConfigurationArn: e.r['infra'],
      distributionConfigurationArn: e.r['dist'],
      imageTestsConfiguration: { imageTestsEnabled: true, timeoutMinutes: 60 },
      tags: { team: 'walk' },
      clientToken: ct(),
    }),
    save: async (o, e) => {
      e.r['image'] = o['imageBuildVersionArn'] as string;
      await settle(e, e.r['image']);
      await workflowRecords(e, e.r['image']);
    },
  },
  { op: 'GetImage', input: (e) => ({ imageBuildVersionArn: e.r['image'] }) },
  { op: 'ListImages', input: () => ({ owner: 'Self', includeDeprecated: true }) },
  { op: 'ListImageBuildVersions', input: (e) => ({ imageVersionArn: e.r['image']!.replace(/\/\d+$/, '') }) },
  { op: 'ListImagePackages', input: (e) => ({ imageBuildVersionArn: e.r['image'] }) },
  {
    op: 'ListImageScanFindings',
    input: (e) => ({ filters: [{ name: 'imageBuildVersionArn', values: [e.r['image']] }] }),
  },
  {
    op: 'ListImageScanFindingAggregations',
    input: (e) => ({ filter: { name: 'imageBuildVersionArn', values: [e.r['image']] } }),
  },
  { op: 'PutImagePolicy', input: (e) => ({ imageArn: e.r['image'], policy: policy(e.r['image']!) }) },
  { op: 'GetImagePolicy', input: (e) => ({ imageArn: e.r['image'] }) },
  {
    op: 'DistributeImage',
    input: (e) => ({
      sourceImage: e.r['image'],
      distributionConfigurationArn: e.r['dist'],
      executionRole: 'ingot',
      clientToken: ct(),
    }),
    save: (_o, e) => settle(e, e.r['image']!),
  },
  {
    op: 'CancelImageCreation',
    input: (e) => ({ imageBuildVersionArn: e.r['pipelineImage'], clientToken: ct() }),
  },
  { op: 'RetryImage', input: (e) => ({ imageBuildVersionArn: e.r['pipelineImage'], clientToken: ct() }) },
  {
    op: 'ImportDiskImage',
    before: async (e) => writeFileSync(join(e.dir, 'disk.raw'), Buffer.alloc(1024 * 1024)),
    input: (e) => ({
      name: `walk-${e.s}-imported-disk`,
      semanticVersion: '1.0.0',
      platform: 'Linux',
      osVersion: 'Debian 12',
      infrastructureConfigurationArn: e.r['infra'],
      uri: join(e.dir, 'disk.raw'),
      clientToken: ct(),
    }),
  },
  {
    op: 'ImportVmImage',
    input: (e) => ({
      name: `walk-${e.s}-vm`,
      semanticVersion: '1.0.0',
      platform: 'Linux',
      vmImportTaskId: 'import-ami-0123456789abcdef0',
      clientToken: ct(),
    }),
  },
  {
    op: 'GetMarketplaceResource',
    input: () => ({
      resourceType: 'COMPONENT_DATA',
      resourceArn: 'arn:aws:imagebuilder:us-east-1:aws:component/some-product/1.0.0/1',
    }),
  },
  // Workflow executions of the settled image (workflowRecords, in CreateImage's `save`).
  {
    op: 'ListWorkflowExecutions',
    input: (e) => ({ imageBuildVersionArn: e.r['image'] }),
    save: (o, e) => {
      const first = (o['workflowExecutions'] as { workflowExecutionId?: string }[] | undefined)?.[0];
      if (first?.workflowExecutionId) e.r['workflowExecution'] = first.workflowExecutionId;
    },
  },
  { op: 'GetWorkflowExecution', input: (e) => ({ workflowExecutionId: e.r['workflowExecution'] ?? `wf-${ct()}` }) },
  {
    op: 'ListWorkflowStepExecutions',
    input: (e) => ({ workflowExecutionId: e.r['workflowExecution'] ?? `wf-${ct()}` }),
    save: (o, e) => {
      const first = (o['steps'] as { stepExecutionId?: string }[] | undefined)?.[0];
      if (first?.stepExecutionId) e.r['step'] = first.stepExecutionId;
    },
  },
  { op: 'GetWorkflowStepExecution', input: (e) => ({ stepExecutionId: e.r['step'] ?? `step-${ct()}` }) },
  { op: 'ListWaitingWorkflowSteps', input: () => ({}) },
  {
    op: 'SendWorkflowStepAction',
    input: (e) => ({
      stepExecutionId: e.r['waitingStep'] ?? `step-${ct()}`,
      imageBuildVersionArn: e.r['image'],
      action: 'RESUME',
      reason: 'approved by the walk',
      clientToken: ct(),
    }),
  },
  // lifecycle
  {
    op: 'CreateLifecyclePolicy',
    input: (e) => ({ name: `walk-${e.s}-lifecycle`, status: 'DISABLED', ...lifecycle(e), clientToken: ct() }),
    save: (o, e) => void (e.r['lifecycle'] = o['lifecyclePolicyArn'] as string),
  },
  {
    op: 'UpdateLifecyclePolicy',
    input: (e) => ({
      lifecyclePolicyArn: e.r['lifecycle'],
      description: 'updated',
      ...lifecycle(e),
      clientToken: ct(),
    }),
  },
  { op: 'GetLifecyclePolicy', input: (e) => ({ lifecyclePolicyArn: e.r['lifecycle'] }) },
  { op: 'ListLifecyclePolicies', input: () => ({}) },
  {
    op: 'StartResourceStateUpdate',
    input: (e) => ({ resourceArn: e.r['image'], state: { status: 'DEPRECATED' }, clientToken: ct() }),
    save: (o, e) => void (e.r['lifecycleExecution'] = o['lifecycleExecutionId'] as string),
  },
  { op: 'GetLifecycleExecution', input: (e) => ({ lifecycleExecutionId: e.r['lifecycleExecution'] }) },
  { op: 'ListLifecycleExecutions', input: (e) => ({ resourceArn: e.r['image'] }) },
  { op: 'ListLifecycleExecutionResources', input: (e) => ({ lifecycleExecutionId: e.r['lifecycleExecution'] }) },
  {
    op: 'CancelLifecycleExecution',
    // An execution still running (as the scheduler leaves one between two of its actions).
    before: async (e) => {
      const id = `lce-${ct()}`;
      e.r['running'] = id;
      const startTime = new Date().toISOString();
      await e.t.server.store.lifecycleExecutions.put(
        {
          id,
          policyArn: e.r['lifecycle']!,
          startedAt: startTime,
          doc: {
            lifecycleExecutionId: id,
            lifecyclePolicyArn: e.r['lifecycle'],
            startTime,
            state: { status: 'IN_PROGRESS' },
          },
        },
        [],
      );
    },
    input: (e) => ({ lifecycleExecutionId: e.r['running'], clientToken: ct() }),
  },
  // tags
  { op: 'TagResource', input: (e) => ({ resourceArn: e.r['recipe'], tags: { stage: 'walk', owner: 'qa' } }) },
  { op: 'ListTagsForResource', input: (e) => ({ resourceArn: e.r['recipe'] }) },
  { op: 'UntagResource', input: (e) => ({ resourceArn: e.r['recipe'], tagKeys: ['owner'] }) },
  // deletes, users first
  { op: 'DeleteImagePipeline', input: (e) => ({ imagePipelineArn: e.r['pipeline'] }) },
  { op: 'DeleteImage', input: (e) => ({ imageBuildVersionArn: e.r['image'] }) },
  { op: 'DeleteLifecyclePolicy', input: (e) => ({ lifecyclePolicyArn: e.r['lifecycle'] }) },
  { op: 'DeleteWorkflow', input: (e) => ({ workflowBuildVersionArn: e.r['workflow'] }) },
  { op: 'DeleteContainerRecipe', input: (e) => ({ containerRecipeArn: e.r['container'] }) },
  { op: 'DeleteImageRecipe', input: (e) => ({ imageRecipeArn: e.r['recipe'] }) },
  { op: 'DeleteDistributionConfiguration', input: (e) => ({ distributionConfigurationArn: e.r['dist'] }) },
  { op: 'DeleteInfrastructureConfiguration', input: (e) => ({ infrastructureConfigurationArn: e.r['infra'] }) },
  { op: 'DeleteComponent', input: (e) => ({ componentBuildVersionArn: e.r['imported'] }) },
];

/** The operations the walk calls, in order (each once). */
export const WALK_OPERATIONS: readonly string[] = STEPS.map((s) => s.op);

export interface WalkResult {
  /** Operations that answered a shape-valid output. */
  answered: string[];
  /** Operations that answered NotImplementedException. */
  missing: string[];
  /** Operations refused as BY_DESIGN says. */
  refused: string[];
  /** Operations the client does not know (CLIENT_LACKS_OPERATION), never sent. */
  clientLacks: string[];
  /** Everything else: the operation, what it was sent and what went wrong. */
  failures: string[];
  /** What each operation was sent, in order. */
  calls: { op: string; input: Record<string, unknown> }[];
}

/** Runs every step with `call`; `s` keeps this run's names apart from another run's on the same server. */
export async function walk(t: TestServer, call: Caller, s: string): Promise<WalkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-walk-'));
  const e: Env = { t, sdk: t.client(), r: {}, s, dir };
  const result: WalkResult = { answered: [], missing: [], refused: [], clientLacks: [], failures: [], calls: [] };
  try {
    for (const step of STEPS) {
      let input: Record<string, unknown> | undefined;
      try {
        await step.before?.(e);
        input = JSON.parse(JSON.stringify(step.input(e))) as Record<string, unknown>;
        result.calls.push({ op: step.op, input });
        const out = await call(step.op, input);
        if (out.ok) {
          if (out.problems) result.failures.push(`${step.op}: output breaks its shape: ${out.problems}`);
          else result.answered.push(step.op);
          await step.save?.(out.output, e);
        } else if (out.type === 'NotImplementedException') result.missing.push(step.op);
        else if (BY_DESIGN[step.op] === out.type) result.refused.push(step.op);
        else if (out.type === CLIENT_LACKS_OPERATION) {
          result.clientLacks.push(step.op);
          // What later steps need is made with the SDK instead, so they still run with this client.
          if (step.save) {
            try {
              await step.save(await sdkCall(e.sdk, step.op, input), e);
            } catch {
              // the SDK cannot make it either (an operation not implemented yet): later steps use stand-in ids
            }
          }
        } else result.failures.push(`${step.op} ${JSON.stringify(input)}: ${out.type}: ${out.message}`);
      } catch (err) {
        // Most often: an earlier step failed, so what this one needs is missing.
        result.failures.push(`${step.op} ${JSON.stringify(input)}: the step broke: ${(err as Error).message}`);
      }
    }
  } finally {
    e.sdk.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/** The same input naming nothing: every ARN's name (and every execution id) replaced by one that does not exist. */
export function pointingAtNothing(input: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(input), (_k, v: unknown) => {
    if (typeof v !== 'string') return v;
    if (/^arn:aws:imagebuilder:/.test(v))
      return v.replace(/^(arn:aws:imagebuilder:[^:]+:[^:]+:(?:workflow\/[a-z]+|[a-z-]+)\/)([^/]+)/, '$1gone-$2');
    const id = /^(lce|wf|step)-[0-9a-f-]{36}$/.exec(v);
    return id ? `${id[1]}-${randomUUID()}` : v;
  }) as Record<string, unknown>;
}
