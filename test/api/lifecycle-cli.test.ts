/** @module `ingot lifecycle run` records an execution of a policy, readable through the API. */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runIngot } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.stop());

test('ingot lifecycle run --preview records an execution; a wrong ARN is refused', async () => {
  const c = t.client();
  const { lifecyclePolicyArn } = await c.send(
    new ib.CreateLifecyclePolicyCommand({
      name: 'keep-two',
      executionRole: 'ingot',
      resourceType: 'AMI_IMAGE',
      clientToken: 'lc-1',
      resourceSelection: { recipes: [{ name: 'nothing-yet', semanticVersion: '1.0.0' }] },
      policyDetails: [{ action: { type: 'DELETE' }, filter: { type: 'COUNT', value: 2 } }],
    }),
  );
  const r = await runIngot(['lifecycle', 'run', lifecyclePolicyArn!, '--preview'], { INGOT_HOME: t.home });
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^lce-/);
  const execution = await c.send(new ib.GetLifecycleExecutionCommand({ lifecycleExecutionId: id }));
  assert.equal(execution.lifecycleExecution?.lifecyclePolicyArn, lifecyclePolicyArn);

  const wrong = await runIngot(
    ['lifecycle', 'run', 'arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/none'],
    { INGOT_HOME: t.home },
  );
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /no lifecycle policy/);
});
