/**
 * @module Tests of the list columns of migration 4 (`latest`, `state_status`): an existing
 * database file is upgraded in place, and every write keeps them equal to what the former
 * per-row queries (NOT EXISTS a newer build, json_extract of state.status) computed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import type { ResourceQuery, ResourceRecord, Store } from '../types.ts';
import { openSqliteStore } from './index.ts';
import { MIGRATIONS } from './migrations.ts';
import { resourceSortKey } from '../sort-key.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingot-list-columns-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const LIVE = ['PENDING', 'BUILDING', 'AVAILABLE', 'FAILED'];

function image(name: string, version: string, build: number, state: unknown, account = ACCOUNT): ResourceRecord {
  const arn = `arn:aws:imagebuilder:${REGION}:${account}:image/${name}/${version}/${build}`;
  const doc: Record<string, unknown> = { arn, name, version: `${version}/${build}`, platform: 'Linux' };
  if (state !== undefined) doc['state'] = state;
  return { arn, type: 'image', account, region: REGION, name, version, build, doc, createdAt: 'c', updatedAt: 'u' };
}

/** What ListImages asked the store before migration 4, evaluated with the old SQL. */
function oldQuery(db: DatabaseSync, latestOnly: boolean, statuses?: readonly string[]): string[] {
  const where = ["type = 'image'", 'region = ?'];
  const args: string[] = [REGION];
  if (statuses) {
    where.push(`json_extract(doc, '$.state.status') IN (${statuses.map(() => '?').join(',')})`);
    args.push(...statuses);
  }
  if (latestOnly) {
    where.push(`NOT EXISTS (SELECT 1 FROM resources r2 WHERE r2.type = resources.type AND r2.region = resources.region
      AND r2.account = resources.account AND r2.name = resources.name AND r2.version = resources.version AND r2.build > resources.build)`);
  }
  return (
    db.prepare(`SELECT arn FROM resources WHERE ${where.join(' AND ')} ORDER BY sort_key`).all(...args) as {
      arn: string;
    }[]
  ).map((r) => r.arn);
}

async function newQuery(store: Store, latestOnly: boolean, statuses?: readonly string[]): Promise<string[]> {
  const q: ResourceQuery = {
    type: 'image',
    region: REGION,
    accounts: [ACCOUNT, '210987654321'],
    limit: 1000,
    ...(latestOnly ? { latestBuildOnly: true } : {}),
    ...(statuses ? { where: [{ path: 'state.status', values: statuses }] } : {}),
  };
  const records = (await store.resources.list(q)).items.map((r) => r.arn);
  const docs = (await store.resources.listDocuments(q)).docs.map((text) => (JSON.parse(text) as { arn: string }).arn);
  assert.deepEqual(docs, records, 'listDocuments pages like list');
  return records;
}

async function assertSameAsOldQueries(store: Store, file: string): Promise<void> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    for (const latestOnly of [false, true]) {
      for (const statuses of [undefined, LIVE, ['AVAILABLE']]) {
        assert.deepEqual(
          await newQuery(store, latestOnly, statuses),
          oldQuery(db, latestOnly, statuses),
          `latestOnly=${latestOnly} statuses=${statuses}`,
        );
      }
    }
  } finally {
    db.close();
  }
}

test('migration 4 upgrades a version-3 database file in place', async () => {
  const file = join(dir, 'v3.db');
  const db = new DatabaseSync(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT');
  for (let i = 0; i < 3; i++) {
    db.exec(MIGRATIONS[i]!);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(i + 1, 'then');
  }
  const rows = [
    image('a', '1.0.0', 1, { status: 'AVAILABLE' }),
    image('a', '1.0.0', 2, { status: 'FAILED' }),
    image('a', '1.0.0', 3, { status: 'DEPRECATED' }), // newest build hides older ones even when filtered out
    image('a', '1.1.0', 1, { status: 'AVAILABLE' }),
    image('b', '2.0.0', 7, { status: 'BUILDING' }),
    image('b', '2.0.0', 5, { status: 'AVAILABLE' }),
    image('c', '1.0.0', 1, undefined), // no state: never matches a status filter
    image('d', '1.0.0', 1, { status: 42 }), // not a string: never matches either
    image('e', '1.0.0', 1, 'broken'),
    image('a', '1.0.0', 9, { status: 'AVAILABLE' }, '210987654321'), // another account's build is not newer
  ];
  const insert = db.prepare(
    'INSERT INTO resources (arn, type, account, region, name, version, build, sort_key, doc, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
  );
  for (const r of rows)
    insert.run(
      r.arn,
      r.type,
      r.account,
      r.region,
      r.name,
      r.version,
      r.build,
      resourceSortKey(r.account, r.name, r.version, r.build),
      JSON.stringify(r.doc),
      r.createdAt,
      r.updatedAt,
    );
  db.close();

  const store = openSqliteStore(file);
  try {
    const check = new DatabaseSync(file, { readOnly: true });
    const version = (check.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
    assert.equal(version, MIGRATIONS.length);
    const latest = (
      check.prepare('SELECT arn FROM resources WHERE latest = 1 ORDER BY sort_key').all() as { arn: string }[]
    ).map((r) => r.arn.split(':image/')[1]);
    assert.deepEqual(latest, [
      'a/1.0.0/3',
      'a/1.1.0/1',
      'b/2.0.0/7',
      'c/1.0.0/1',
      'd/1.0.0/1',
      'e/1.0.0/1',
      'a/1.0.0/9',
    ]);
    const statuses = check
      .prepare("SELECT state_status AS s FROM resources WHERE name IN ('c', 'd', 'e') ORDER BY name")
      .all() as { s: string | null }[];
    assert.deepEqual(
      statuses.map((r) => r.s),
      [null, null, null],
    );
    check.close();
    await assertSameAsOldQueries(store, file);
  } finally {
    await store.close();
  }
});
