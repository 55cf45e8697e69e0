import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteStore } from './index.ts';

test('claimable lists what claim would take; claim with onlyIds takes only those', async () => {
  const store = openSqliteStore(':memory:');
  try {
    for (const id of ['a', 'b', 'c']) await store.jobs.enqueue({ id, kind: 'image-build', resourceArn: `arn:${id}` });
    await store.jobs.enqueue({ id: 'd', kind: 'other', resourceArn: 'arn:d' });
    assert.deepEqual(
      (await store.jobs.claimable(['image-build'], 2)).map((j) => j.id),
      ['a', 'b'],
    );
    const got = await store.jobs.claim('w1', 60_000, ['image-build'], ['c', 'd']);
    assert.equal(got?.id, 'c', 'only a listed id of a listed kind');
    assert.equal(await store.jobs.claim('w1', 60_000, ['image-build'], []), undefined, 'an empty list takes nothing');
    assert.deepEqual(
      (await store.jobs.claimable(['image-build', 'other'], 10)).map((j) => j.id),
      ['a', 'b', 'd'],
    );
    assert.deepEqual(await store.jobs.countByState(), { queued: 3, running: 1 });
  } finally {
    await store.close();
  }
});

test('the worker registry keeps the last labels and time of each worker', async () => {
  const store = openSqliteStore(':memory:');
  try {
    await store.workers.seen({ id: 'w1', labels: { arch: 'x86_64' }, lastSeen: '2026-01-01T00:00:00.000Z' });
    await store.workers.seen({ id: 'w2', labels: { arch: 'aarch64' }, lastSeen: '2026-01-01T00:00:01.000Z' });
    await store.workers.seen({ id: 'w1', labels: { arch: 'x86_64', kvm: true }, lastSeen: '2026-01-01T00:00:02.000Z' });
    const list = await store.workers.list();
    assert.deepEqual(
      list.map((w) => [w.id, w.labels]),
      [
        ['w1', { arch: 'x86_64', kvm: true }],
        ['w2', { arch: 'aarch64' }],
      ],
    );
  } finally {
    await store.close();
  }
});
