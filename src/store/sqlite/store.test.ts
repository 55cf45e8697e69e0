/** @module Tests of the SQLite store against a real database file. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ResourceRecord } from '../types.ts';
import { openSqliteStore } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingot-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function record(name: string, version: string, build: number, account = '123456789012'): ResourceRecord {
  const arn = `arn:aws:imagebuilder:us-east-1:${account}:component/${name}/${version}/${build}`;
  const now = new Date().toISOString();
  return {
    arn,
    type: 'component',
    account,
    region: 'us-east-1',
    name,
    version,
    build,
    doc: { arn, platform: 'Linux' },
    createdAt: now,
    updatedAt: now,
  };
}

test('resources survive reopening the database file', async () => {
  const file = join(dir, 'a.db');
  const store = openSqliteStore(file);
  await store.resources.insert(record('c1', '1.0.0', 1));
  await store.close();
  const again = openSqliteStore(file);
  const got = await again.resources.get(record('c1', '1.0.0', 1).arn);
  assert.equal(got?.doc['platform'], 'Linux');
  await again.close();
});

test('keyset pagination visits every row once, versions in numeric order', async () => {
  const store = openSqliteStore(join(dir, 'b.db'));
  for (const v of ['1.10.0', '1.2.0', '1.9.0', '2.0.0']) await store.resources.insert(record('pkg', v, 1));
  const seen: string[] = [];
  let after: string | undefined;
  do {
    const page = await store.resources.list({
      type: 'component',
      region: 'us-east-1',
      accounts: ['123456789012'],
      limit: 3,
      ...(after ? { after } : {}),
    });
    seen.push(...page.items.map((i) => i.version!));
    after = page.nextAfter;
  } while (after);
  assert.deepEqual(seen, ['1.2.0', '1.9.0', '1.10.0', '2.0.0']);
  await store.close();
});

test('latestBuildOnly keeps the newest build of each version', async () => {
  const store = openSqliteStore(join(dir, 'c.db'));
  for (const b of [1, 2, 3]) await store.resources.insert(record('x', '1.0.0', b));
  const page = await store.resources.list({
    type: 'component',
    region: 'us-east-1',
    accounts: ['123456789012'],
    limit: 10,
    latestBuildOnly: true,
  });
  assert.deepEqual(
    page.items.map((i) => i.build),
    [3],
  );
  assert.equal(await store.resources.maxBuild('component', '123456789012', 'us-east-1', 'x', '1.0.0'), 3);
  await store.close();
});

test('a failed transaction writes nothing', async () => {
  const store = openSqliteStore(join(dir, 'd.db'));
  await assert.rejects(
    store.transaction(async () => {
      await store.resources.insert(record('t', '1.0.0', 1));
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(await store.resources.get(record('t', '1.0.0', 1).arn), undefined);
  await store.close();
});

test('two stores on one file never claim the same job', async () => {
  const file = join(dir, 'e.db');
  const a = openSqliteStore(file);
  const b = openSqliteStore(file);
  for (let i = 0; i < 20; i++) await a.jobs.enqueue({ id: `j${i}`, kind: 'build', resourceArn: `arn:${i}` });
  const claimed: string[] = [];
  for (;;) {
    const [x, y] = await Promise.all([a.jobs.claim('wa', 60_000), b.jobs.claim('wb', 60_000)]);
    if (!x && !y) break;
    if (x) claimed.push(x.id);
    if (y) claimed.push(y.id);
  }
  assert.equal(claimed.length, 20);
  assert.equal(new Set(claimed).size, 20);
  await a.close();
  await b.close();
});

test('an expired lease lets another worker retry, then fails when attempts run out', async () => {
  const store = openSqliteStore(join(dir, 'f.db'));
  await store.jobs.enqueue({ id: 'r', kind: 'build', resourceArn: 'arn:r', maxAttempts: 2 });
  const first = await store.jobs.claim('w1', -1); // lease already expired
  assert.equal(first?.attempts, 1);
  const second = await store.jobs.claim('w2', -1);
  assert.equal(second?.id, 'r');
  assert.equal(second?.attempts, 2);
  assert.equal(await store.jobs.claim('w3', 60_000), undefined);
  const failed = await store.jobs.failExpired(Date.now());
  assert.deepEqual(
    failed.map((j) => j.id),
    ['r'],
  );
  assert.equal((await store.jobs.get('r'))?.state, 'failed');
  await store.close();
});
