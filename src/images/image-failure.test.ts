import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failureOf, failureReason, stageOf } from './image-failure.ts';

test('the reason is derived from the structured failure, in the words the API always used', () => {
  assert.equal(
    failureReason({ kind: 'test', stage: 'test', component: 'hello', detail: 'exit 1' }),
    "test failed in component 'hello': exit 1",
  );
  assert.equal(failureReason({ kind: 'build', stage: 'rootfs', detail: 'no space' }), 'rootfs failed: no space');
  assert.equal(
    failureReason({ kind: 'distribution', stage: 'distribute', target: 'us-west-2', detail: 'denied' }),
    'Distribution to us-west-2 failed: denied',
  );
  assert.equal(
    failureReason({ kind: 'import', stage: 'import', target: '/d.raw', detail: 'no partition' }),
    'Import of /d.raw failed: no partition',
  );
  assert.equal(
    failureReason({ kind: 'cancelled', stage: 'build', detail: 'Cancelled by the user' }),
    'Cancelled by the user',
  );
  assert.equal(failureReason({ kind: 'error', stage: 'build', detail: 'x'.repeat(2000) }).length, 1000);
});

test('stageOf names the stage of an image state', () => {
  assert.equal(stageOf('TESTING'), 'test');
  assert.equal(stageOf('DISTRIBUTING'), 'distribute');
  assert.equal(stageOf(undefined), 'queue');
});

test('failureOf: the stored failure, else (records written before) what the reason says', () => {
  const stored = { kind: 'timeout', stage: 'build', detail: 'late' } as const;
  assert.deepEqual(failureOf({ state: { status: 'FAILED', reason: 'x' }, failure: stored }), stored);
  assert.deepEqual(failureOf({ state: { status: 'FAILED', reason: 'Distribution to eu-west-1 failed: gone' } }), {
    kind: 'distribution',
    stage: 'distribute',
    target: 'eu-west-1',
    detail: 'gone',
  });
  assert.equal(failureOf({ state: { status: 'FAILED', reason: 'build failed: x' } })?.kind, 'error');
  assert.equal(failureOf({ state: { status: 'AVAILABLE' } }), undefined);
});
