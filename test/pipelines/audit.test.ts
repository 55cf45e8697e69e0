/**
 * @module The audit log: every mutating API call (success, failure, or refused input) is appended
 * with who, what, when, from where and the outcome; reads are not; the table refuses changes;
 * `ingot audit` prints it filtered by time and operation.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runIngot } from '../helpers/cli.ts';
import { createComponent, ct, startPipelineServer, TEST_ACCOUNT, TEST_KEY, type PipelineServer } from './helpers.ts';

let t: PipelineServer;
before(async () => {
  t = await startPipelineServer();
});
after(() => t.stop());

test('mutating calls are audited with who, what, when, where and outcome; ingot audit filters them', async () => {
  const started = new Date().toISOString();
  const arn = await createComponent(t.client, 'audited', '1.0.0', ['true']);
  await t.client.send(new ib.GetComponentCommand({ componentBuildVersionArn: arn }));
  await assert.rejects(
    t.client.send(new ib.DeleteComponentCommand({ componentBuildVersionArn: arn.replace('audited', 'missing') })),
  );
  await t.client.send(new ib.DeleteComponentCommand({ componentBuildVersionArn: arn }));
  await assert.rejects(
    t.client.send(
      new ib.CreateComponentCommand({
        name: 'x',
        semanticVersion: '1.0.0',
        platform: 'Linux',
        data: 'x',
        clientToken: ct(),
      }),
    ),
    /InvalidParameterValueException|validation/,
  );
  for (let i = 0; i < 50 && (await t.server.store.audit.query({ since: started })).length < 4; i++)
    await new Promise((r) => setTimeout(r, 50));

  const all = await t.server.store.audit.query({ since: started });
  const refused = all.pop()!;
  assert.deepEqual(
    [refused.operation, refused.outcome, refused.accessKeyId, refused.accountId],
    ['CreateComponent', 'InvalidParameterValueException', null, TEST_ACCOUNT],
  );
  const entries = all;
  assert.deepEqual(
    entries.map((e) => [e.operation, e.resourceArn, e.outcome]),
    [
      ['CreateComponent', arn, 'success'],
      ['DeleteComponent', arn.replace('audited', 'missing'), 'ResourceNotFoundException'],
      ['DeleteComponent', arn, 'success'],
    ],
  );
  for (const e of entries) {
    assert.equal(e.accountId, TEST_ACCOUNT);
    assert.equal(e.accessKeyId, TEST_KEY.accessKeyId);
    assert.equal(e.sourceIp, '127.0.0.1');
    assert.ok(e.requestId);
  }

  const db = new DatabaseSync(join(t.home, 'ingot.db'));
  assert.throws(() => db.exec("UPDATE audit_log SET outcome = 'success'"), /append-only/);
  assert.throws(() => db.exec('DELETE FROM audit_log'), /append-only/);
  db.close();

  const env = { INGOT_HOME: t.home };
  const deletes = await runIngot(['audit', '--operation', 'DeleteComponent', '--since', '1h'], env);
  assert.equal(deletes.code, 0, deletes.stderr);
  const lines = deletes.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.equal((await runIngot(['audit', '--operation', 'CreateComponent'], env)).stdout.trim().split('\n').length, 2);
  assert.deepEqual(lines[1]!.split('\t').slice(1), [
    TEST_ACCOUNT,
    TEST_KEY.accessKeyId,
    'DeleteComponent',
    arn,
    '127.0.0.1',
    'success',
  ]);
  const json = await runIngot(['audit', '--json', '--since', '2999-01-01T00:00:00Z'], env);
  assert.equal(json.stdout, '');
  const bad = await runIngot(['audit', '--since', 'yesterday-ish'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--since must be an ISO 8601 time or an age/);
});
