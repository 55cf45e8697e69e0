/** @module Tests of running one workflow document without an engine: skips, Continue, timeouts, AWS-only actions, stale executions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { checkWorkflowDocument } from '../../workflows/document.ts';
import type { PlannedWorkflow } from './plan.ts';
import { runWorkflow, settleStaleExecutions, WorkflowFailed } from './run-workflow.ts';

const IMAGE = 'arn:aws:imagebuilder:us-east-1:123456789012:image/x/1.0.0/1';

function planned(text: string): PlannedWorkflow {
  const doc = checkWorkflowDocument(text, 'DISTRIBUTION');
  assert.deepEqual(doc.errors, []);
  return {
    arn: 'arn:aws:imagebuilder:us-east-1:123456789012:workflow/distribution/w/1.0.0/1',
    type: 'DISTRIBUTION',
    document: doc.document!,
    parameters: { go: false },
    onFailure: 'ABORT',
  };
}

const DOC = `schemaVersion: 1.0
parameters:
  - name: go
    type: boolean
    default: false
steps:
  - name: Skipped
    action: DistributeImage
    if:
      booleanEquals: true
      value: $.parameters.go
    inputs: {}
  - name: Gate
    action: WaitForAction
    timeoutSeconds: 1
    onFailure: Continue
    inputs: {}
  - name: Windows
    action: RunSysPrep
    inputs:
      instanceId: i-1
  - name: After
    action: ApplyImageConfigurations
    inputs: {}
`;

test('a skipped step, a timed-out step that continues, an AWS-only action that aborts, the rest cancelled', async () => {
  const store = openSqliteStore(':memory:');
  const run = {
    store,
    imageArn: IMAGE,
    account: '123456789012',
    signal: new AbortController().signal,
    workflowOutputs: {},
    imagebuilder: {},
    actions: {
      gate: undefined,
      imageArn: IMAGE,
      log: () => {},
      osVersion: () => 'Linux',
      distribute: async () => ({}),
    },
  };
  const err = await runWorkflow(planned(DOC), run).catch((e: unknown) => e);
  assert.ok(err instanceof WorkflowFailed);
  assert.match(err.message, /RunSysPrep is not supported by Ingot/);
  const [execution] = await store.workflowExecutions.executionsOfImage(IMAGE);
  assert.equal(execution!.status, 'FAILED');
  assert.deepEqual(
    {
      ok: execution!.doc['totalStepsSucceeded'],
      failed: execution!.doc['totalStepsFailed'],
      skipped: execution!.doc['totalStepsSkipped'],
    },
    { ok: 0, failed: 2, skipped: 1 },
  );
  const steps = await store.workflowExecutions.stepsOfExecution(execution!.id);
  assert.deepEqual(
    steps.map((s) => s.status),
    ['SKIPPED', 'FAILED', 'FAILED', 'CANCELLED'],
  );
  assert.match(String(steps[1]!.doc['message']), /timeoutSeconds \(1\)/);

  // A run the worker never finished: settled as FAILED, nothing left waiting.
  await store.workflowExecutions.putExecution({ ...execution!, id: 'wf-stale', status: 'RUNNING' });
  await store.workflowExecutions.putStep({
    ...steps[0]!,
    id: 'step-stale',
    executionId: 'wf-stale',
    status: 'WAITING',
  });
  await settleStaleExecutions(store, IMAGE);
  assert.equal((await store.workflowExecutions.getExecution('wf-stale'))?.status, 'FAILED');
  assert.deepEqual(await store.workflowExecutions.stepsInStatus('123456789012', 'WAITING'), []);
  await store.close();
});
