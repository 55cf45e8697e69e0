/**
 * @module Workflows as resources with the real SDK: CreateWorkflow (validation errors at their line,
 * dryRun, build numbers, latestVersionReferences), GetWorkflow, ListWorkflows (own and the managed
 * ones under owner Amazon), ListWorkflowBuildVersions, DeleteWorkflow; and the document checks of
 * src/workflows/document.ts.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkWorkflowDocument } from '../../src/workflows/document.ts';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/server.ts';
import { rejects } from '../helpers/rejects.ts';

const GATE = `name: approval
schemaVersion: 1.0
parameters:
  - name: approver
    type: string
    default: platform-team
steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    inputs:
      waitFor: ssmAgent
  - name: ApplyBuildComponents
    action: ExecuteComponents
    inputs:
      instanceId.$: $.stepOutputs.LaunchBuildInstance.instanceId
  - name: WaitForApproval
    action: WaitForAction
    timeoutSeconds: 3600
    if:
      stringEquals: AMI
      value: $.imagebuilder.imageType
    inputs:
      payload: "{{ $.parameters.approver }} must approve {{ $.imagebuilder.imageName }}"
  - name: CreateOutputImage
    action: CreateImage
    inputs:
      instanceId.$: $.stepOutputs.LaunchBuildInstance.instanceId
outputs:
  - name: ImageId
    value: $.stepOutputs.CreateOutputImage.imageId
`;

let t: TestServer;
let c: ib.ImagebuilderClient;
before(async () => {
  t = await startTestServer();
  c = t.client();
});
after(() => t.stop());

test('the document checks name each problem with its line', () => {
  const bad = checkWorkflowDocument(
    'schemaVersion: 1.0\nsteps:\n  - name: A1\n    action: LaunchInstanc\n    inputs: {}\n  - name: B1\n    action: CreateImage\n    inputs:\n      instanceId.$: $.stepOutputs.Nope.instanceId\n',
    'BUILD',
  );
  assert.deepEqual(
    bad.errors.map((e) => [e.line, e.path]),
    [
      [4, 'steps[0].action'],
      [9, 'steps[1].inputs.instanceId.$'],
    ],
  );
  assert.match(bad.errors[0]!.message, /unknown action 'LaunchInstanc'/);
  assert.match(bad.errors[1]!.message, /names no earlier step/);
  const stage = checkWorkflowDocument(
    'schemaVersion: 1.0\nsteps:\n  - name: D1\n    action: DistributeImage\n    inputs: {}\n',
    'BUILD',
  );
  assert.match(stage.errors[0]!.message, /DistributeImage cannot run in a BUILD workflow/);
  const timeouts = checkWorkflowDocument(
    'schemaVersion: 1.0\nsteps:\n  - name: T1\n    action: TerminateInstance\n    timeoutSeconds: 90000\n    inputs: {}\n',
  );
  assert.match(timeouts.errors[0]!.message, /timeoutSeconds of TerminateInstance is a whole number from 1 to 43200/);
  assert.deepEqual(checkWorkflowDocument(GATE, 'BUILD').errors, []);
});

test('CreateWorkflow, GetWorkflow, build numbers, dryRun and validation errors', async () => {
  const created = await c.send(
    new ib.CreateWorkflowCommand({
      name: 'approval',
      semanticVersion: '1.0.0',
      type: 'BUILD',
      data: GATE,
      clientToken: 'wf-1',
    }),
  );
  const arn = created.workflowBuildVersionArn!;
  assert.equal(arn, `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:workflow/build/approval/1.0.0/1`);
  assert.equal(created.latestVersionReferences?.latestVersionArn, arn);
  const got = (await c.send(new ib.GetWorkflowCommand({ workflowBuildVersionArn: arn }))).workflow!;
  assert.equal(got.type, 'BUILD');
  assert.equal(got.data, GATE);
  assert.deepEqual(got.parameters, [{ name: 'approver', type: 'string', defaultValue: ['platform-team'] }]);
  const second = await c.send(
    new ib.CreateWorkflowCommand({
      name: 'approval',
      semanticVersion: '1.0.0',
      type: 'BUILD',
      data: GATE,
      clientToken: 'wf-2',
    }),
  );
  assert.match(second.workflowBuildVersionArn!, /\/1\.0\.0\/2$/);
  await rejects(
    c.send(
      new ib.CreateWorkflowCommand({
        name: 'approval',
        semanticVersion: '1.0.1',
        type: 'BUILD',
        data: GATE,
        clientToken: 'wf-3',
        dryRun: true,
      }),
    ),
    'DryRunOperationException',
  );
  await rejects(
    c.send(
      new ib.CreateWorkflowCommand({
        name: 'broken',
        semanticVersion: '1.0.0',
        type: 'TEST',
        data: 'schemaVersion: 1.0\nsteps:\n  - name: X1\n    action: DistributeImage\n    inputs: {}\n',
        clientToken: 'wf-4',
      }),
    ),
    'InvalidParameterValueException',
    /line 4, column 13: steps\[0\]\.action: DistributeImage cannot run in a TEST workflow/,
  );
});

test('ListWorkflows: own workflows, and the managed ones under owner Amazon; build versions; delete', async () => {
  const own = await c.send(new ib.ListWorkflowsCommand({}));
  assert.deepEqual(
    own.workflowVersionList?.map((w) => [w.name, w.type, w.version]),
    [['approval', 'BUILD', '1.0.0']],
  );
  const managed = await c.send(new ib.ListWorkflowsCommand({ owner: 'Amazon' }));
  assert.deepEqual(managed.workflowVersionList?.map((w) => `${w.type}:${w.name}`).sort(), [
    'BUILD:build-container',
    'BUILD:build-image',
    'DISTRIBUTION:distribute-image',
    'TEST:test-container',
    'TEST:test-image',
  ]);
  const buildImage = managed.workflowVersionList!.find((w) => w.name === 'build-image')!;
  assert.equal(buildImage.arn, 'arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/1.0.0');
  const managedDoc = await c.send(new ib.GetWorkflowCommand({ workflowBuildVersionArn: `${buildImage.arn}/1` }));
  assert.match(managedDoc.workflow!.data!, /action: ExecuteComponents/);
  const builds = await c.send(
    new ib.ListWorkflowBuildVersionsCommand({
      workflowVersionArn: `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:workflow/build/approval/1.0.0`,
    }),
  );
  // The model's WorkflowSummary.arn is the name ARN (…/x.x.x); the builds differ by date.
  assert.equal(builds.workflowSummaryList?.length, 2);
  assert.ok(builds.workflowSummaryList?.every((s) => s.arn?.endsWith(':workflow/build/approval/x.x.x')));
  const first = `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:workflow/build/approval/1.0.0/1`;
  await c.send(new ib.DeleteWorkflowCommand({ workflowBuildVersionArn: first }));
  await rejects(c.send(new ib.GetWorkflowCommand({ workflowBuildVersionArn: first })), 'ResourceNotFoundException');
  await rejects(
    c.send(new ib.DeleteWorkflowCommand({ workflowBuildVersionArn: `${buildImage.arn}/1` })),
    'ForbiddenException',
  );
});
