/**
 * @module Seeding of the api-load benchmark: images and components written straight into the
 * store's tables in bulk (one SQLite transaction; batched `INSERT … SELECT unnest(…)` on
 * PostgreSQL), with the columns the store keeps at write time (sort key, `latest`, state). This is
 * seeding only, not the path a build takes: the image-event triggers are off while it runs (no
 * state change happens) and are put back afterwards. Rows spread over four accounts, many
 * recipes, five versions each and four builds per version (only the last build is `latest`).
 */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { resourceSortKey } from '../src/store/sort-key.ts';

export const ACCOUNTS = ['123456789012', '210987654321', '333344445555', '666677778888'] as const;
export const REGION = 'us-east-1';
const BUILDS = 4;
const VERSIONS = 5;
const STATUSES = ['AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'FAILED', 'BUILDING', 'DEPRECATED'];

export interface SeedRow {
  arn: string;
  type: 'image' | 'component';
  account: string;
  name: string;
  version: string;
  build: number;
  sortKey: string;
  doc: string;
  latest: boolean;
  status: string | null;
}

/** The i-th image: account i mod 4, then recipe, version and build of that account's j-th image. */
export function imageRow(i: number, now: string): SeedRow {
  const account = ACCOUNTS[i % ACCOUNTS.length]!;
  const j = Math.floor(i / ACCOUNTS.length);
  const build = (j % BUILDS) + 1;
  const version = `1.${Math.floor(j / BUILDS) % VERSIONS}.0`;
  const name = `recipe-${Math.floor(j / (BUILDS * VERSIONS))}`;
  const arn = `arn:aws:imagebuilder:${REGION}:${account}:image/${name}/${version}/${build}`;
  const status = STATUSES[j % STATUSES.length]!;
  const doc = {
    arn,
    type: 'AMI',
    name,
    version,
    platform: 'Linux',
    osVersion: 'Debian 12',
    state: { status },
    imageRecipe: { arn: `arn:aws:imagebuilder:${REGION}:${account}:image-recipe/${name}/${version}` },
    dateCreated: now,
    outputResources: { containers: [], amis: [] },
    tags: { team: `team-${j % 17}` },
    buildType: 'USER_INITIATED',
    imageSource: 'CUSTOM',
    enhancedImageMetadataEnabled: true,
  };
  return {
    arn,
    type: 'image',
    account,
    name,
    version,
    build,
    sortKey: resourceSortKey(account, name, version, build),
    doc: JSON.stringify(doc),
    latest: build === BUILDS,
    status,
  };
}

export function componentRow(i: number, now: string): SeedRow {
  const account = ACCOUNTS[i % ACCOUNTS.length]!;
  const j = Math.floor(i / ACCOUNTS.length);
  const name = `component-${Math.floor(j / VERSIONS)}`;
  const version = `1.0.${j % VERSIONS}`;
  const arn = `arn:aws:imagebuilder:${REGION}:${account}:component/${name}/${version}/1`;
  const doc = {
    arn,
    name,
    version,
    platform: 'Linux',
    type: 'BUILD',
    owner: account,
    data: 'name: x\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps: []\n',
    dateCreated: now,
    tags: {},
  };
  const sortKey = resourceSortKey(account, name, version, 1);
  return {
    arn,
    type: 'component',
    account,
    name,
    version,
    build: 1,
    sortKey,
    doc: JSON.stringify(doc),
    latest: true,
    status: null,
  };
}

function* rows(images: number, components: number): Generator<SeedRow> {
  const now = new Date().toISOString();
  for (let i = 0; i < images; i++) yield imageRow(i, now);
  for (let i = 0; i < components; i++) yield componentRow(i, now);
}

/** Bulk rows into a migrated SQLite store file (no server running on it). */
export function seedSqlite(file: string, images: number, components: number): void {
  const db = new DatabaseSync(file);
  try {
    const triggers = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'resources'")
      .all() as { name: string; sql: string }[];
    db.exec('BEGIN');
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    const insert = db.prepare(
      'INSERT INTO resources (arn, type, account, region, name, version, build, sort_key, doc, created_at, updated_at, latest, state_status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)',
    );
    const now = new Date().toISOString();
    for (const r of rows(images, components))
      insert.run(
        r.arn,
        r.type,
        r.account,
        REGION,
        r.name,
        r.version,
        r.build,
        r.sortKey,
        r.doc,
        now,
        now,
        r.latest ? 1 : 0,
        r.status,
      );
    for (const t of triggers) db.exec(t.sql);
    db.exec('COMMIT');
    db.exec('ANALYZE');
    // The rows are in the write-ahead log; without this, the server's first write would copy them
    // (over a gigabyte at 1,000,000 images) into the database file, its event loop stalled meanwhile.
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

const BATCH = 5000;

/** Bulk rows into a migrated PostgreSQL store (`url` as the store opens it). */
export async function seedPostgres(url: string, images: number, components: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE resources DISABLE TRIGGER image_events_on_change');
    const now = new Date().toISOString();
    let batch: SeedRow[] = [];
    const flush = async () => {
      const col = <K extends keyof SeedRow>(k: K) => batch.map((r) => r[k]);
      await client.query(
        `INSERT INTO resources (arn, type, account, region, name, version, build, sort_key, doc, created_at, updated_at, latest, state_status)
         SELECT a, t, acc, $1, n, v, b, k, d::json, $2, $2, l, s
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::text[], $11::bool[], $12::text[])
           AS x(a, t, acc, n, v, b, k, d, l, s)`,
        [
          REGION,
          now,
          col('arn'),
          col('type'),
          col('account'),
          col('name'),
          col('version'),
          col('build'),
          col('sortKey'),
          col('doc'),
          col('latest'),
          col('status'),
        ],
      );
      batch = [];
    };
    for (const r of rows(images, components)) {
      batch.push(r);
      if (batch.length === BATCH) await flush();
    }
    if (batch.length) await flush();
    await client.query('ALTER TABLE resources ENABLE TRIGGER image_events_on_change');
    await client.query('COMMIT');
    await client.query('VACUUM ANALYZE resources');
  } finally {
    await client.end();
  }
}
