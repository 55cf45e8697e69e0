/**
 * @module What only the SQLite store does (a database file that survives reopening); the behaviour
 * both stores share is test/store/contract.test.ts.
 */
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
