import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DistributionFailed } from '../distribution/distribute.ts';
import { BuildFailure, BuildTimeout } from '../engine/failure.ts';
import { IngotError } from '../errors/ingot-error.ts';
import type { StoredImage } from '../images/image-failure.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { failImage, setState } from './image-state.ts';
import { failureFromError, ImportFailed } from './settle.ts';

const dir = mkdtempSync(join(tmpdir(), 'jobs-settle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('errors become structured failures whose reason is the error message', () => {
  const cases: [Error, object][] = [
    [
      new BuildFailure('test', 'exit status 3', 'hello'),
      { kind: 'test', stage: 'test', component: 'hello', detail: 'exit status 3' },
    ],
    [new BuildTimeout(60_000), { kind: 'timeout', stage: 'build' }],
    [
      new DistributionFailed('region eu-west-1', 'denied'),
      { kind: 'distribution', stage: 'distribute', target: 'region eu-west-1', detail: 'denied' },
    ],
    [new ImportFailed('/d.raw', 'no partition'), { kind: 'import', target: '/d.raw', detail: 'no partition' }],
    [new Error('disk full'), { kind: 'error', stage: 'test', detail: 'disk full' }],
  ];
  for (const [err, expected] of cases) {
    const f = failureFromError(err, 'TESTING');
    for (const [k, v] of Object.entries(expected)) assert.equal(f[k as keyof typeof f], v, `${err.name}: ${k}`);
  }
});

test('the worker writes states through the table: illegal moves throw, failures are stored with their reason', async () => {
  const store = openSqliteStore(join(dir, 's.db'));
  try {
    const arn = 'arn:aws:imagebuilder:us-east-1:111122223333:image/x/1.0.0/1';
    await store.resources.insert({
      arn,
      type: 'image',
      account: '111122223333',
      region: 'us-east-1',
      name: 'x',
      version: '1.0.0',
      build: 1,
      doc: { arn, state: { status: 'PENDING' } },
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });
    await assert.rejects(setState(store, arn, 'AVAILABLE'), (e: unknown) => e instanceof IngotError);
    assert.equal(await setState(store, arn, 'BUILDING'), true);
    await failImage(store, arn, { kind: 'distribution', stage: 'distribute', target: 'us-west-2', detail: 'gone' });
    const doc = (await store.resources.get<StoredImage>(arn))!.doc;
    assert.equal(doc.state?.status, 'FAILED');
    assert.equal(doc.state?.reason, 'Distribution to us-west-2 failed: gone');
    assert.equal(doc.failure?.kind, 'distribution');
    await assert.rejects(setState(store, arn, 'BUILDING'), /is FAILED and cannot become BUILDING/);
    assert.equal(await setState(store, arn, 'PENDING'), true, 'a retry');
    assert.equal((await store.resources.get<StoredImage>(arn))!.doc.failure, undefined, 'the old failure is cleared');
  } finally {
    await store.close();
  }
});
