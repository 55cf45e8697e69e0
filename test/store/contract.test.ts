/**
 * @module The store contract, run against both implementations: the embedded SQLite file and a
 * real PostgreSQL (test/helpers/postgres.ts; skipped with a message only when its binaries are
 * missing). Every test gets an empty database; `open` may be called twice to get two stores on
 * it (two processes, or two API servers).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { SecretBox } from '../../src/store/secret-box.ts';
import { CREDENTIAL_CACHE_MS } from '../../src/store/sqlite/small-repositories.ts';
import { resourceSortKey, versionScopeRanges } from '../../src/store/sort-key.ts';
import { DuplicateKeyError, type ResourceQuery, type ResourceRecord, type Store } from '../../src/store/types.ts';
import { type PostgresServer, postgresSkip, startPostgres } from '../helpers/postgres.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const OTHER = '210987654321';
const LIVE = ['PENDING', 'BUILDING', 'AVAILABLE', 'FAILED'];

interface Database {
  /** A store on this test's database (call again for a second one on the same database). */
  open(opts?: { buildLogMaxLines?: number }): Promise<Store>;
  /**
   * The store another API server would use at the same time: a second PostgreSQL store; for SQLite
   * the same store (one store per process is its rule; other processes are kept out by its file lock).
   */
  peer(first: Store): Promise<Store>;
}

interface Impl {
  name: string;
  skip: string | undefined;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  fresh(): Promise<Database>;
}

const dir = mkdtempSync(join(tmpdir(), 'ingot-contract-'));
let files = 0;
let pgServer: PostgresServer | undefined;

const IMPLS: Impl[] = [
  {
    name: 'sqlite',
    skip: undefined,
    setUp: async () => undefined,
    tearDown: async () => undefined,
    async fresh() {
      const file = join(dir, `${++files}.db`);
      const box = new SecretBox(randomBytes(32), 'test key');
      return {
        open: async (opts) => openSqliteStore(file, { secretBox: box, ...opts }),
        peer: async (first) => first,
      };
    },
  },
  {
    name: 'postgres',
    skip: postgresSkip,
    async setUp() {
      pgServer = await startPostgres();
    },
    async tearDown() {
      await pgServer?.stop();
    },
    async fresh() {
      const url = await pgServer!.createDatabase();
      const box = new SecretBox(randomBytes(32), 'test key');
      const open = (opts?: { buildLogMaxLines?: number }) => openPostgresStore(url, { secretBox: box, ...opts });
      return { open, peer: () => open() };
    },
  },
];

after(() => rmSync(dir, { recursive: true, force: true }));

function component(name: string, version: string, build: number, account = ACCOUNT): ResourceRecord {
  const arn = `arn:aws:imagebuilder:${REGION}:${account}:component/${name}/${version}/${build}`;
  const now = new Date().toISOString();
  return {
    arn,
    type: 'component',
    account,
    region: REGION,
    name,
    version,
    build,
    doc: { arn, platform: 'Linux' },
    createdAt: now,
    updatedAt: now,
  };
}

function image(
  name: string,
  version: string,
  build: number,
  state: unknown,
  account = ACCOUNT,
  extra = {},
): ResourceRecord {
  const arn = `arn:aws:imagebuilder:${REGION}:${account}:image/${name}/${version}/${build}`;
  const doc: Record<string, unknown> = { arn, name, version: `${version}/${build}`, platform: 'Linux', ...extra };
  if (state !== undefined) doc['state'] = state;
  return {
    arn,
    type: 'image',
    account,
    region: REGION,
    name,
    version,
    build,
    doc,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

async function arns(store: Store, q: Partial<ResourceQuery>): Promise<string[]> {
  const query: ResourceQuery = {
    type: 'image',
    region: REGION,
    accounts: [ACCOUNT, '210987654321'],
    limit: 1000,
    ...q,
  };
  const records = (await store.resources.list(query)).items.map((r) => r.arn.split(/:(image|component)\//)[2]!);
  const docs = (await store.resources.listDocuments(query)).docs.map(
    (text) => (JSON.parse(text) as { arn: string }).arn.split(/:(image|component)\//)[2]!,
  );
  assert.deepEqual(docs, records, 'listDocuments pages like list');
  return records;
}

for (const impl of IMPLS) {
  describe(`store contract: ${impl.name}`, { skip: impl.skip ?? false, concurrency: false }, () => {
    const stores: Store[] = [];
    let db: Database;
    const open = async () => {
      const s = await db.open();
      stores.push(s);
      return s;
    };
    const peer = async (first: Store) => {
      const s = await db.peer(first);
      if (s !== first) stores.push(s);
      return s;
    };
    const fresh = async () => {
      db = await impl.fresh();
      return open();
    };
    before(() => impl.setUp());
    after(async () => {
      for (const s of stores) await s.close();
      await impl.tearDown();
    });

    test('keyset pagination visits every row once, versions in numeric order', async () => {
      const store = await fresh();
      for (const v of ['1.10.0', '1.2.0', '1.9.0', '2.0.0']) await store.resources.insert(component('pkg', v, 1));
      const seen: string[] = [];
      let afterKey: string | undefined;
      do {
        const page = await store.resources.list({
          type: 'component',
          region: REGION,
          accounts: [ACCOUNT],
          limit: 3,
          ...(afterKey ? { after: afterKey } : {}),
        });
        seen.push(...page.items.map((i) => i.version!));
        afterKey = page.nextAfter;
      } while (afterKey);
      assert.deepEqual(seen, ['1.2.0', '1.9.0', '1.10.0', '2.0.0']);
      assert.equal(await store.resources.count('component'), 4);
      assert.equal(await store.resources.count('component', 'eu-west-1'), 0);
      assert.deepEqual(
        (await store.resources.versions('component', [ACCOUNT], REGION, 'pkg')).map((v) => v.version),
        ['1.2.0', '1.9.0', '1.10.0', '2.0.0'],
      );
      assert.equal((await store.resources.allOfType('component')).length, 4);
    });

    test('newestInRanges: the newest build of every version, of a major, a minor and a patch', async () => {
      const store = await fresh();
      for (const [v, b] of [
        ['1.2.0', 1],
        ['1.2.0', 3],
        ['1.10.0', 2],
        ['1.9.4', 1],
        ['2.0.0', 1],
        ['10.0.0', 1],
      ] as const)
        await store.resources.insert(component('pkg', v, b));
      // Neighbours that must stay out of the ranges: a longer name, another account.
      await store.resources.insert(component('pkg-2', '99.0.0', 1));
      await store.resources.insert(component('pkg', '99.0.0', 1, OTHER));
      const arn = (v: string, b: number) => component('pkg', v, b).arn;
      const newest = (version: string) =>
        store.resources.newestInRanges('component', REGION, versionScopeRanges(ACCOUNT, 'pkg', version));
      assert.deepEqual(await newest('1.2.0'), [arn('10.0.0', 1), arn('1.10.0', 2), arn('1.2.0', 3), arn('1.2.0', 3)]);
      assert.deepEqual(await newest('1.9.0'), [arn('10.0.0', 1), arn('1.10.0', 2), arn('1.9.4', 1), undefined]);
      assert.deepEqual(await newest('3.0.0'), [arn('10.0.0', 1), undefined, undefined, undefined]);
      assert.deepEqual(
        await store.resources.newestInRanges('component', 'eu-west-1', versionScopeRanges(ACCOUNT, 'pkg', '1.2.0')),
        [undefined, undefined, undefined, undefined],
      );
      assert.deepEqual(await store.resources.newestInRanges('component', REGION, []), []);
      // A key equal to the range's start is in it (a recipe's key ends with its version's prefix).
      const first = resourceSortKey(ACCOUNT, 'pkg', '1.2.0', 1);
      assert.deepEqual(await store.resources.newestInRanges('component', REGION, [[first, `${first}~`]]), [
        arn('1.2.0', 1),
      ]);
    });

    test('getWithNewest: the record and newestInRanges of its type and region, in one call', async () => {
      const store = await fresh();
      for (const [v, b] of [
        ['1.2.0', 1],
        ['1.2.0', 3],
        ['1.10.0', 2],
        ['2.0.0', 1],
      ] as const)
        await store.resources.insert(component('pkg', v, b));
      await store.resources.insert(component('pkg', '99.0.0', 1, OTHER));
      const arn = (v: string, b: number) => component('pkg', v, b).arn;
      const found = await store.resources.getWithNewest<Record<string, unknown>>(
        arn('1.2.0', 1),
        versionScopeRanges(ACCOUNT, 'pkg', '1.2.0'),
      );
      assert.equal(found?.record.arn, arn('1.2.0', 1));
      assert.deepEqual(found?.record, await store.resources.get(arn('1.2.0', 1)));
      assert.deepEqual(found?.newest, [arn('2.0.0', 1), arn('1.10.0', 2), arn('1.2.0', 3), arn('1.2.0', 3)]);
      // Ranges that match nothing, and none at all.
      const none = await store.resources.getWithNewest(arn('2.0.0', 1), versionScopeRanges(ACCOUNT, 'nope', '2.0.0'));
      assert.deepEqual(none?.newest, [undefined, undefined, undefined, undefined]);
      assert.deepEqual((await store.resources.getWithNewest(arn('2.0.0', 1), []))?.newest, []);
      assert.equal(
        await store.resources.getWithNewest(arn('3.0.0', 1), versionScopeRanges(ACCOUNT, 'pkg', '3.0.0')),
        undefined,
      );
    });

    test('a duplicate ARN is a DuplicateKeyError; get, update and delete', async () => {
      const store = await fresh();
      const c = component('d', '1.0.0', 1);
      await store.resources.insert(c);
      await assert.rejects(store.resources.insert(c), DuplicateKeyError);
      await store.resources.update(c.arn, { ...c.doc, description: 'changed' });
      assert.equal((await store.resources.get(c.arn))?.doc['description'], 'changed');
      assert.equal(await store.resources.delete(c.arn), true);
      assert.equal(await store.resources.delete(c.arn), false);
      assert.equal(await store.resources.get(c.arn), undefined);
    });

    test('latestBuildOnly keeps the newest build; build numbers of deleted builds are never given again', async () => {
      const store = await fresh();
      for (const b of [1, 2, 3]) await store.resources.insert(component('x', '1.0.0', b));
      const page = await store.resources.list({
        type: 'component',
        region: REGION,
        accounts: [ACCOUNT],
        limit: 10,
        latestBuildOnly: true,
      });
      assert.deepEqual(
        page.items.map((i) => i.build),
        [3],
      );
      assert.equal(await store.resources.maxBuild('component', ACCOUNT, REGION, 'x', '1.0.0'), 3);
      await store.resources.delete(component('x', '1.0.0', 3).arn);
      assert.equal(await store.resources.maxBuild('component', ACCOUNT, REGION, 'x', '1.0.0'), 3);
      assert.equal(await store.resources.maxBuild('component', ACCOUNT, REGION, 'x', '9.0.0'), 0);
    });

    test('inserts, updates and deletes keep latest and the status filter right', async () => {
      const store = await fresh();
      for (const b of [2, 1, 4, 3]) await store.resources.insert(image('x', '1.0.0', b, { status: 'AVAILABLE' }));
      await store.resources.insert(image('y', '1.0.0', 1, { status: 'PENDING' }));
      await store.resources.insert(image('c', '1.0.0', 1, undefined));
      await store.resources.insert(image('d', '1.0.0', 1, { status: 42 }));
      await store.resources.insert(image('x', '1.0.0', 9, { status: 'AVAILABLE' }, '210987654321'));
      assert.deepEqual(await arns(store, { latestBuildOnly: true }), [
        'c/1.0.0/1',
        'd/1.0.0/1',
        'x/1.0.0/4',
        'y/1.0.0/1',
        'x/1.0.0/9',
      ]);
      assert.deepEqual(await arns(store, { latestBuildOnly: true, where: [{ path: 'state.status', values: LIVE }] }), [
        'x/1.0.0/4',
        'y/1.0.0/1',
        'x/1.0.0/9',
      ]);
      assert.equal(await store.resources.delete(image('x', '1.0.0', 4, {}).arn), true);
      assert.deepEqual(await arns(store, { latestBuildOnly: true, accounts: [ACCOUNT] }), [
        'c/1.0.0/1',
        'd/1.0.0/1',
        'x/1.0.0/3',
        'y/1.0.0/1',
      ]);
      await store.resources.delete(image('x', '1.0.0', 1, {}).arn); // not the newest: nothing moves
      assert.deepEqual(await arns(store, { accounts: [ACCOUNT], name: 'x' }), ['x/1.0.0/2', 'x/1.0.0/3']);
      const y = image('y', '1.0.0', 1, { status: 'PENDING' });
      await store.resources.update(y.arn, { ...y.doc, state: { status: 'DEPRECATED' } });
      assert.deepEqual(
        await arns(store, {
          latestBuildOnly: true,
          accounts: [ACCOUNT],
          where: [{ path: 'state.status', values: LIVE }],
        }),
        ['x/1.0.0/3'],
      );
      for (const b of [2, 3]) await store.resources.delete(image('x', '1.0.0', b, {}).arn);
      await store.resources.insert(image('x', '1.0.0', 5, { status: 'AVAILABLE' }));
      assert.deepEqual(await arns(store, { latestBuildOnly: true, accounts: [ACCOUNT], name: 'x' }), ['x/1.0.0/5']);
    });

    test('where: a document path, and an array path any of whose elements may match', async () => {
      const store = await fresh();
      await store.resources.insert(
        image('a', '1.0.0', 1, { status: 'AVAILABLE' }, ACCOUNT, { sourcePipelineArn: 'p1', tags: ['x', 'y'] }),
      );
      await store.resources.insert(
        image('b', '1.0.0', 1, { status: 'AVAILABLE' }, ACCOUNT, { sourcePipelineArn: 'p2', tags: ['z'] }),
      );
      await store.resources.insert(
        image('c', '1.0.0', 1, { status: 'AVAILABLE' }, ACCOUNT, { sourcePipelineArn: 7, tags: 'x' }),
      );
      assert.deepEqual(await arns(store, { where: [{ path: 'sourcePipelineArn', values: ['p1', 'p3'] }] }), [
        'a/1.0.0/1',
      ]);
      assert.deepEqual(await arns(store, { where: [{ path: 'sourcePipelineArn', values: ['7'] }] }), []);
      assert.deepEqual(await arns(store, { where: [{ path: 'tags[*]', values: ['y', 'z'] }] }), [
        'a/1.0.0/1',
        'b/1.0.0/1',
      ]);
      assert.deepEqual(await arns(store, { where: [{ path: 'missing.path', values: ['x'] }] }), []);
      assert.deepEqual(await arns(store, { accounts: [], alsoArns: [image('b', '1.0.0', 1, {}).arn] }), ['b/1.0.0/1']);
      assert.deepEqual(await arns(store, { accounts: [] }), []);
    });

    test('listDocuments pages with the same keyset as list; one account is its own key range', async () => {
      const store = await fresh();
      for (const account of ['12345678901', ACCOUNT, '1234567890123', 'aws', 'aws2'])
        for (const n of ['a', 'b'])
          await store.resources.insert(image(n, '1.0.0', 1, { status: 'AVAILABLE' }, account));
      for (let i = 0; i < 7; i++) await store.resources.insert(image(`p${i}`, '1.0.0', 1, { status: 'AVAILABLE' }));
      const seen: string[] = [];
      let afterKey: string | undefined;
      do {
        const q: ResourceQuery = {
          type: 'image',
          region: REGION,
          accounts: [ACCOUNT],
          limit: 3,
          latestBuildOnly: true,
          ...(afterKey ? { after: afterKey } : {}),
        };
        const page = await store.resources.listDocuments(q);
        assert.equal(page.nextAfter, (await store.resources.list(q)).nextAfter);
        seen.push(...page.docs.map((t) => (JSON.parse(t) as { name: string }).name));
        afterKey = page.nextAfter;
      } while (afterKey);
      assert.deepEqual(seen, ['a', 'b', 'p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
      for (const account of ['12345678901', '1234567890123', 'aws', 'aws2', '999999999999']) {
        const page = await store.resources.list({ type: 'image', region: REGION, accounts: [account], limit: 100 });
        assert.deepEqual(
          page.items.map((r) => `${r.account}/${r.name}`),
          account === '999999999999' ? [] : [`${account}/a`, `${account}/b`],
        );
        const rest = await store.resources.listDocuments({
          type: 'image',
          region: REGION,
          accounts: [account],
          limit: 100,
          after: resourceSortKey(account, 'a', '1.0.0', 1),
        });
        assert.equal(rest.docs.length, page.items.length ? 1 : 0);
      }
    });

    test('references and shares', async () => {
      const store = await fresh();
      const c = component('used', '1.0.0', 1);
      const r = { ...component('user', '1.0.0', 1), type: 'image-recipe' as const };
      await store.resources.insert(c);
      await store.resources.insert(r);
      await store.resources.setReferences(r.arn, [c.arn, c.arn]);
      assert.deepEqual(
        (await store.resources.referencing(c.arn)).map((x) => ({ ...x })),
        [{ arn: r.arn, type: 'image-recipe' }],
      );
      await store.shares.setShares(c.arn, ['111111111111', '*'], '{"p":1}');
      assert.equal(await store.shares.getPolicy(c.arn), '{"p":1}');
      assert.deepEqual(await store.shares.sharedWith('222222222222', 'component', REGION), [c.arn]);
      assert.equal(await store.shares.isSharedWith(c.arn, '111111111111'), true);
      await store.shares.setShares(c.arn, ['111111111111'], '{"p":2}');
      assert.equal(await store.shares.isSharedWith(c.arn, '222222222222'), false);
      await assert.rejects(store.shares.setShares('arn:none', [], '{}'));
      await store.resources.delete(r.arn);
      assert.deepEqual(await store.resources.referencing(c.arn), []);
    });

    test('a failed transaction writes nothing; a committed one everything', async () => {
      const store = await fresh();
      await assert.rejects(
        store.transaction(async () => {
          await store.resources.insert(component('t', '1.0.0', 1));
          assert.ok(await store.resources.get(component('t', '1.0.0', 1).arn), 'a transaction reads its own writes');
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.resources.get(component('t', '1.0.0', 1).arn), undefined);
      await store.transaction(async () => {
        await store.resources.insert(component('t', '1.0.0', 2));
        await store.jobs.enqueue({ id: 'tj', kind: 'build', resourceArn: 'arn:t' });
      });
      assert.ok(await store.resources.get(component('t', '1.0.0', 2).arn));
      assert.equal((await store.jobs.get('tj'))?.state, 'queued');
    });

    test('work started inside a transaction that outlives it still reads and writes', async () => {
      const store = await fresh();
      let later: Promise<unknown> = Promise.resolve();
      await store.transaction(async () => {
        await store.resources.insert(component('outer', '1.0.0', 1));
        later = sleep(100).then(async () => {
          await store.resources.insert(component('later', '1.0.0', 1));
          // A transaction of its own, not a part of the ended one: its failure undoes its writes.
          await store
            .transaction(async () => {
              await store.resources.insert(component('later', '1.0.0', 2));
              throw new Error('undo');
            })
            .catch(() => undefined);
        });
      });
      await Promise.all([later, store.transaction(() => store.resources.insert(component('meanwhile', '1.0.0', 1)))]);
      for (const [n, b] of [
        ['outer', 1],
        ['later', 1],
        ['meanwhile', 1],
      ] as const)
        assert.ok(await store.resources.get(component(n, '1.0.0', b).arn), `${n}/${b}`);
      assert.equal(await store.resources.get(component('later', '1.0.0', 2).arn), undefined);
    });

    test('two stores numbering builds of one version at once never give a number twice', async () => {
      await fresh();
      const a = await open();
      const b = await peer(a);
      const create = (s: Store) =>
        s.transaction(async () => {
          const build = (await s.resources.maxBuild('component', ACCOUNT, REGION, 'race', '1.0.0')) + 1;
          await s.resources.insert(component('race', '1.0.0', build));
          return build;
        });
      const builds = await Promise.all(Array.from({ length: 10 }, (_, i) => create(i % 2 ? a : b)));
      assert.deepEqual(
        [...builds].sort((x, y) => x - y),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      const latest = await a.resources.list({
        type: 'component',
        region: REGION,
        accounts: [ACCOUNT],
        limit: 10,
        latestBuildOnly: true,
      });
      assert.deepEqual(
        latest.items.map((i) => i.build),
        [10],
      );
    });

    test('idempotency records; the token lock lets one of two stores run the request', async () => {
      await fresh();
      const a = await open();
      const b = await peer(a);
      assert.equal(await a.idempotency.get('s', 't'), undefined);
      let runs = 0;
      const request = (s: Store) =>
        s.transaction(async () => {
          await s.idempotency.lock('s', 't');
          const seen = await s.idempotency.get('s', 't');
          if (seen) return seen.response;
          runs++;
          await sleep(50);
          await s.idempotency.put('s', 't', { requestHash: 'h', response: { n: runs } });
          return { n: runs };
        });
      const answers = await Promise.all([request(a), request(b), request(a), request(b)]);
      assert.equal(runs, 1);
      assert.deepEqual(answers, Array(4).fill({ n: 1 }));
      await a.idempotency.put('s', 't', { requestHash: 'h2', response: [1] });
      assert.deepEqual(await b.idempotency.get('s', 't'), { requestHash: 'h2', response: [1] });
    });

    test('credentials: sealed, listed, a new key seen at once, a replaced secret within the cache time', async () => {
      await fresh();
      const server = await open();
      const other = await open();
      assert.equal(await server.credentials.get('AKIDNEW'), undefined);
      await other.credentials.put({ accessKeyId: 'AKIDNEW', secretAccessKey: 's1', accountId: ACCOUNT });
      assert.equal((await server.credentials.get('AKIDNEW'))?.secretAccessKey, 's1');
      await other.credentials.put({ accessKeyId: 'AKIDNEW', secretAccessKey: 's2', accountId: ACCOUNT });
      await sleep(CREDENTIAL_CACHE_MS + 50);
      assert.equal((await server.credentials.get('AKIDNEW'))?.secretAccessKey, 's2');
      await server.credentials.put({ accessKeyId: 'AKIDNEW', secretAccessKey: 's3', accountId: ACCOUNT });
      assert.equal((await server.credentials.get('AKIDNEW'))?.secretAccessKey, 's3');
      const got = await server.credentials.get('AKIDNEW');
      got!.secretAccessKey = 'mutated by a caller';
      assert.equal((await server.credentials.get('AKIDNEW'))?.secretAccessKey, 's3');
      assert.deepEqual(await other.credentials.list(), [
        { accessKeyId: 'AKIDNEW', secretAccessKey: 's3', accountId: ACCOUNT },
      ]);
    });

    test('two stores never claim the same job; leases, retries and cancellation', async () => {
      await fresh();
      const a = await open();
      const b = await open();
      for (let i = 0; i < 20; i++)
        await a.jobs.enqueue({ id: `j${i}`, kind: i % 2 ? 'build' : 'other', resourceArn: `arn:${i}` });
      const claimed: string[] = [];
      for (;;) {
        const [x, y] = await Promise.all([
          a.jobs.claim('wa', 60_000, ['build']),
          b.jobs.claim('wb', 60_000, ['build']),
        ]);
        if (!x && !y) break;
        if (x) claimed.push(x.id);
        if (y) claimed.push(y.id);
      }
      assert.equal(claimed.length, 10);
      assert.equal(new Set(claimed).size, 10);
      assert.equal((await a.jobs.runningJobs()).length, 10);
      const ofWa = await a.jobs.runningJobs('wa');
      assert.ok(ofWa.every((j) => j.leaseOwner === 'wa' && j.state === 'running'));
      assert.equal(ofWa.length + (await b.jobs.runningJobs('wb')).length, 10, "each job is one worker's");
      assert.deepEqual(await a.jobs.runningJobs('nobody'), []);
      assert.equal(await a.jobs.heartbeat('j1', 'nobody', 1000), false);
      const j1 = await a.jobs.get('j1');
      assert.equal(await a.jobs.heartbeat('j1', j1!.leaseOwner!, 1000), true);
      await a.jobs.finish('j1', j1!.leaseOwner!, 'succeeded');
      assert.equal((await b.jobs.get('j1'))?.state, 'succeeded');
      assert.equal(await a.jobs.cancel('j0', 'stop'), true);
      assert.equal(await a.jobs.cancel('j0', 'again'), false);
      assert.deepEqual(
        (await a.jobs.byResource('arn:0')).map((j) => [j.state, j.lastError]),
        [['cancelled', 'stop']],
      );
      const j3 = await a.jobs.get('j3');
      await a.jobs.release('j3', j3!.leaseOwner!, 'retry');
      assert.equal((await a.jobs.claim('wc', 60_000))?.id, 'j2');
      assert.equal((await a.jobs.claim('wc', 60_000, ['build']))?.id, 'j3');
    });

    test('claimBatch takes up to N jobs in one statement, oldest first, kinds and ids respected; concurrent batches never overlap', async () => {
      await fresh();
      const a = await open();
      const b = await peer(a);
      for (let i = 0; i < 40; i++)
        await a.jobs.enqueue({
          id: `b${String(i).padStart(2, '0')}`,
          kind: i % 4 === 3 ? 'other' : 'image-build',
          resourceArn: `arn:${i}`,
        });
      const first = await a.jobs.claimBatch('w1', 60_000, 3, ['image-build']);
      assert.deepEqual(
        first.map((j) => [j.id, j.state, j.leaseOwner, j.attempts]),
        [
          ['b00', 'running', 'w1', 1],
          ['b01', 'running', 'w1', 1],
          ['b02', 'running', 'w1', 1],
        ],
      );
      assert.deepEqual(
        (await a.jobs.claimBatch('w1', 60_000, 5, ['image-build'], ['b03', 'b05', 'b06', 'b00'])).map((j) => j.id),
        ['b05', 'b06'],
        'only runnable jobs of those ids and kinds',
      );
      assert.deepEqual(await a.jobs.claimBatch('w1', 60_000, 5, ['image-build'], []), []);
      // Claimers on both stores at once: every image-build job once, none of the other kind.
      const claimed: string[] = [];
      for (;;) {
        const batches = await Promise.all([
          a.jobs.claimBatch('wa', 60_000, 4, ['image-build']),
          b.jobs.claimBatch('wb', 60_000, 3, ['image-build']),
          a.jobs.claimBatch('wc', 60_000, 2, ['image-build']),
        ]);
        assert.ok(batches[0].length <= 4 && batches[1].length <= 3 && batches[2].length <= 2);
        if (batches.every((x) => !x.length)) break;
        for (const x of batches) claimed.push(...x.map((j) => j.id));
      }
      assert.equal(claimed.length, 30 - 5);
      assert.equal(new Set(claimed).size, claimed.length, 'no job taken twice');
      assert.ok(!claimed.some((id) => Number(id.slice(1)) % 4 === 3), 'no job of another kind');
      assert.equal((await a.jobs.runningJobs()).length, 30);
    });

    test('claimable lists what claim would take; claim with onlyIds takes only those', async () => {
      const store = await fresh();
      for (const id of ['a', 'b', 'c']) await store.jobs.enqueue({ id, kind: 'image-build', resourceArn: `arn:${id}` });
      await store.jobs.enqueue({ id: 'd', kind: 'other', resourceArn: 'arn:d' });
      assert.deepEqual(
        (await store.jobs.claimable(['image-build'], 2)).map((j) => j.id),
        ['a', 'b'],
      );
      assert.equal((await store.jobs.claim('w1', 60_000, ['image-build'], ['c', 'd']))?.id, 'c');
      assert.equal(await store.jobs.claim('w1', 60_000, ['image-build'], []), undefined);
      assert.deepEqual(
        (await store.jobs.claimable(['image-build', 'other'], 10)).map((j) => j.id),
        ['a', 'b', 'd'],
      );
      assert.deepEqual(await store.jobs.claimable([], 10), []);
    });

    test('the worker API path: heartbeat and result in one statement each, only while the lease is live', async () => {
      const store = await fresh();
      for (const id of ['a', 'b', 'c']) await store.jobs.enqueue({ id, kind: 'image-build', resourceArn: `arn:${id}` });
      const t = Date.now();
      const a = (await store.jobs.claim('w1', 1000, ['image-build'], ['a']))!;
      assert.equal(await store.jobs.heartbeat('a', 'w2', 1000, t), false, 'not the lease owner');
      assert.equal(await store.jobs.heartbeat('a', 'w1', 1000, a.leaseExpiresAt! + 1), false, 'expired by then');
      assert.equal(await store.jobs.heartbeat('a', 'w1', 60_000, t), true);
      assert.ok((await store.jobs.get('a'))!.leaseExpiresAt! >= t + 60_000);
      assert.equal(await store.jobs.finishLeased('a', 'w2', 'succeeded', t), false, 'not the lease owner');
      assert.equal(await store.jobs.finishLeased('a', 'w1', 'succeeded', t + 61_000), false, 'expired by then');
      assert.equal((await store.jobs.get('a'))!.state, 'running');
      assert.equal(await store.jobs.finishLeased('a', 'w1', 'succeeded', t), true);
      assert.equal((await store.jobs.get('a'))!.state, 'succeeded');
      assert.equal(
        await store.jobs.finishLeased('a', 'w1', 'failed', t),
        false,
        'ended already: the result counts once',
      );
      assert.equal((await store.jobs.get('a'))!.state, 'succeeded');
      // A cancelled job's worker may still report its end; a job that was never claimed cannot be.
      await store.jobs.claim('w1', 1000, ['image-build'], ['b']);
      await store.jobs.cancel('b', 'stop');
      assert.equal(await store.jobs.heartbeat('b', 'w1', 1000, t), false, 'cancelled: no lease to extend');
      assert.equal(await store.jobs.finishLeased('b', 'w1', 'cancelled', t + 61_000), true);
      assert.equal(await store.jobs.finishLeased('c', 'w1', 'succeeded', t), false);
      assert.equal((await store.jobs.get('c'))!.state, 'queued');
      // A job claimed but never started goes back without its attempt counted, once.
      await store.jobs.claim('w1', 1000, ['image-build'], ['c']);
      assert.equal(await store.jobs.unclaim('c', 'w2'), false, 'not the lease owner');
      assert.equal(await store.jobs.unclaim('c', 'w1'), true);
      assert.equal(await store.jobs.unclaim('c', 'w1'), false);
      assert.deepEqual(
        [
          (await store.jobs.get('c'))!.state,
          (await store.jobs.get('c'))!.attempts,
          (await store.jobs.get('c'))!.leaseOwner,
        ],
        ['queued', 0, null],
      );
    });

    test('watch: a job queued by another store (process or replica) wakes the watcher, until it stops', async () => {
      const store = await fresh();
      const other = await open();
      let woken = 0;
      const stop = store.jobs.watch(() => woken++);
      // PostgreSQL's listening connection comes up in the background: queue until one is seen.
      const deadline = Date.now() + 10_000;
      for (let i = 0; !woken && Date.now() < deadline; i++) {
        await other.jobs.enqueue({ id: `w${i}`, kind: 'image-build', resourceArn: `arn:w${i}` });
        for (let t = 0; t < 20 && !woken; t++) await sleep(10);
      }
      assert.ok(woken > 0, 'a job queued elsewhere woke the watcher');
      stop();
      await sleep(100);
      woken = 0;
      await other.jobs.enqueue({ id: 'after', kind: 'image-build', resourceArn: 'arn:after' });
      await sleep(300);
      assert.equal(woken, 0, 'no wake after stop');
    });

    test('countByState counts the queue by state (the queue-depth metric)', async () => {
      const store = await fresh();
      for (const id of ['a', 'b', 'c']) await store.jobs.enqueue({ id, kind: 'image-build', resourceArn: `arn:${id}` });
      await store.jobs.claim('w1', 60_000, ['image-build']);
      assert.deepEqual(await store.jobs.countByState(), { queued: 2, running: 1 });
    });

    test('the worker registry keeps the last labels and time of each worker', async () => {
      const store = await fresh();
      await store.workers.seen({ id: 'w1', labels: { arch: 'x86_64' }, lastSeen: '2026-01-01T00:00:00.000Z' });
      await store.workers.seen({ id: 'w2', labels: { arch: 'aarch64' }, lastSeen: '2026-01-01T00:00:01.000Z' });
      await store.workers.seen({
        id: 'w1',
        labels: { arch: 'x86_64', kvm: true },
        lastSeen: '2026-01-01T00:00:02.000Z',
      });
      assert.deepEqual(
        (await store.workers.list()).map((w) => [w.id, w.labels, w.lastSeen]),
        [
          ['w1', { arch: 'x86_64', kvm: true }, '2026-01-01T00:00:02.000Z'],
          ['w2', { arch: 'aarch64' }, '2026-01-01T00:00:01.000Z'],
        ],
      );
    });

    test('image documents: put replaces, get reads by image and name, deleteOfImage forgets an image', async () => {
      const store = await fresh();
      const second = await peer(store);
      const arn = `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:image/a/1.0.0/1`;
      const other = `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:image/a/1.0.0/2`;
      await store.imageDocuments.put({ imageArn: arn, account: ACCOUNT, name: 'sbom.spdx.json', body: '{"v":1}' });
      await store.imageDocuments.put({ imageArn: arn, account: ACCOUNT, name: 'manifest.json', body: '{}' });
      await second.imageDocuments.put({ imageArn: arn, account: ACCOUNT, name: 'sbom.spdx.json', body: '{"v":2}' });
      await store.imageDocuments.put({ imageArn: other, account: ACCOUNT, name: 'sbom.spdx.json', body: '{"v":3}' });
      assert.equal(await store.imageDocuments.get(arn, 'sbom.spdx.json'), '{"v":2}');
      assert.equal(await second.imageDocuments.get(arn, 'manifest.json'), '{}');
      assert.equal(await store.imageDocuments.get(arn, 'findings.json'), undefined);
      await second.imageDocuments.deleteOfImage(arn);
      assert.equal(await store.imageDocuments.get(arn, 'sbom.spdx.json'), undefined);
      assert.equal(await store.imageDocuments.get(arn, 'manifest.json'), undefined);
      assert.equal(await store.imageDocuments.get(other, 'sbom.spdx.json'), '{"v":3}');
    });

    test('build logs: lines in order with a seq per image, paged and followed from either store, bounded, per account', async () => {
      const store = await fresh();
      const second = await peer(store);
      const arn = `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:image/a/1.0.0/1`;
      const other = `arn:aws:imagebuilder:${REGION}:999999999999:image/a/1.0.0/1`;
      const line = (t: number, m: string) => ({ timestamp: t, message: m });
      assert.deepEqual(await store.buildLogs.read(arn, { limit: 10 }), []);
      assert.equal(await store.buildLogs.append(arn, ACCOUNT, []), 0, 'nothing appended: no stream yet');
      assert.deepEqual(await store.buildLogs.summaries(ACCOUNT), []);
      assert.equal(await store.buildLogs.append(arn, ACCOUNT, [line(1000, 'one'), line(1001, 'two\nlines')]), 2);
      assert.equal(await second.buildLogs.append(arn, ACCOUNT, [line(1002, 'three')]), 3);
      await second.buildLogs.append(other, '999999999999', [line(5, 'someone else')]);
      // Two writers at once (two servers): every line kept, seqs unique and gapless.
      await Promise.all([
        store.buildLogs.append(arn, ACCOUNT, [line(1003, 'x1'), line(1003, 'x2')]),
        second.buildLogs.append(arn, ACCOUNT, [line(1004, 'y1'), line(1004, 'y2')]),
      ]);
      const all = await second.buildLogs.read(arn, { limit: 100 });
      assert.deepEqual(
        all.map((l) => l.seq),
        [1, 2, 3, 4, 5, 6, 7],
      );
      assert.deepEqual(all.slice(0, 3), [
        { seq: 1, timestamp: 1000, message: 'one' },
        { seq: 2, timestamp: 1001, message: 'two lines' },
        { seq: 3, timestamp: 1002, message: 'three' },
      ]);
      assert.deepEqual(
        (await store.buildLogs.read(arn, { after: 2, limit: 2 })).map((l) => l.message),
        ['three', all[3]!.message],
        'paging forward from a seq',
      );
      assert.deepEqual(
        (await store.buildLogs.read(arn, { limit: 2, newest: true })).map((l) => l.seq),
        [6, 7],
        'the newest lines, oldest first',
      );
      assert.deepEqual(
        (await store.buildLogs.read(arn, { before: 3, limit: 5, newest: true })).map((l) => l.seq),
        [1, 2],
      );
      assert.deepEqual(
        (await store.buildLogs.read(arn, { from: 1001, to: 1003, limit: 10 })).map((l) => l.message),
        ['two lines', 'three'],
        'a time range, end excluded',
      );
      const [summary] = await second.buildLogs.summaries(ACCOUNT);
      assert.deepEqual(summary, {
        imageArn: arn,
        lastSeq: 7,
        bytes: all.reduce((n, l) => n + Buffer.byteLength(l.message), 0),
        firstTimestamp: 1000,
        lastTimestamp: summary!.lastTimestamp,
      });
      assert.ok(summary!.lastTimestamp === 1003 || summary!.lastTimestamp === 1004);
      // Bounded: past `keep` lines the oldest go; seqs go on; a long line is cut.
      await store.buildLogs.append(arn, ACCOUNT, [line(2000, 'z'.repeat(20_000)), line(2001, 'end')], 3);
      const kept = await store.buildLogs.read(arn, { limit: 100 });
      assert.deepEqual(
        kept.map((l) => l.seq),
        [7, 8, 9],
      );
      assert.match(kept[1]!.message, /^z{16384} …\(line cut\)$/);
      const [trimmed] = await store.buildLogs.summaries(ACCOUNT);
      assert.equal(trimmed!.firstTimestamp, kept[0]!.timestamp);
      assert.equal(
        trimmed!.bytes,
        kept.reduce((n, l) => n + Buffer.byteLength(l.message), 0),
      );
      await second.buildLogs.deleteOfImage(arn);
      assert.deepEqual(await store.buildLogs.read(arn, { limit: 10 }), []);
      assert.deepEqual(await store.buildLogs.summaries(ACCOUNT), []);
      assert.equal((await store.buildLogs.read(other, { limit: 10 }))[0]?.message, 'someone else');
      assert.equal(await store.buildLogs.append(arn, ACCOUNT, [line(3000, 'again')]), 1, 'a new log after deletion');
    });

    test('build logs: the store keeps its setting of lines per image (INGOT_BUILD_LOG_MAX_LINES)', async () => {
      const db = await impl.fresh();
      const store = await db.open({ buildLogMaxLines: 4 });
      const arn = `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:image/capped/1.0.0/1`;
      try {
        assert.equal(store.buildLogs.maxLines, 4);
        const lines = Array.from({ length: 6 }, (_, i) => ({ timestamp: 100 + i, message: `l${i + 1}` }));
        assert.equal(await store.buildLogs.append(arn, ACCOUNT, lines.slice(0, 3)), 3);
        assert.equal(await store.buildLogs.append(arn, ACCOUNT, lines.slice(3)), 6);
        assert.deepEqual(
          (await store.buildLogs.read(arn, { limit: 100 })).map((l) => l.message),
          ['l3', 'l4', 'l5', 'l6'],
        );
      } finally {
        await store.close();
      }
    });

    test('worker tokens: one per name, listed by name, revoked once', async () => {
      const store = await fresh();
      const second = await peer(store);
      await store.workerTokens.create({ name: 'farm-2', hash: 'b'.repeat(64), createdAt: '2026-01-01T00:00:00.000Z' });
      await second.workerTokens.create({ name: 'farm-1', hash: 'a'.repeat(64), createdAt: '2026-01-01T00:00:01.000Z' });
      await assert.rejects(
        second.workerTokens.create({ name: 'farm-2', hash: 'c'.repeat(64), createdAt: '2026-01-01T00:00:02.000Z' }),
        DuplicateKeyError,
      );
      assert.deepEqual(await store.workerTokens.get('farm-2'), {
        name: 'farm-2',
        hash: 'b'.repeat(64),
        createdAt: '2026-01-01T00:00:00.000Z',
      });
      assert.deepEqual(
        (await second.workerTokens.list()).map((t) => t.name),
        ['farm-1', 'farm-2'],
      );
      assert.equal(await second.workerTokens.revoke('farm-2'), true);
      assert.equal(await store.workerTokens.revoke('farm-2'), false);
      assert.equal(await store.workerTokens.get('farm-2'), undefined);
    });

    test('an expired lease lets another worker retry, then fails when attempts run out', async () => {
      const store = await fresh();
      await store.jobs.enqueue({ id: 'r', kind: 'build', resourceArn: 'arn:r', maxAttempts: 2 });
      const first = await store.jobs.claim('w1', -1);
      assert.equal(first?.attempts, 1);
      const second = await store.jobs.claim('w2', -1);
      assert.equal(second?.id, 'r');
      assert.equal(second?.attempts, 2);
      assert.equal(await store.jobs.claim('w3', 60_000), undefined);
      assert.deepEqual(
        (await store.jobs.failExpired(Date.now())).map((j) => j.id),
        ['r'],
      );
      assert.equal((await store.jobs.get('r'))?.state, 'failed');
    });

    test('schedules: compare-and-set lets exactly one of two stores advance', async () => {
      await fresh();
      const a = await open();
      const b = await peer(a);
      const state = (nextRun: number | null) => ({ pipelineArn: 'p', nextRun, lastFired: null, lastFingerprint: null });
      const first = await Promise.all([
        a.schedules.advance('p', null, state(1)),
        b.schedules.advance('p', null, state(2)),
      ]);
      assert.equal(first.filter(Boolean).length, 1);
      const now = (await a.schedules.get('p'))!.nextRun;
      const wins = await Promise.all([
        a.schedules.advance('p', now, state(10)),
        b.schedules.advance('p', now, state(20)),
      ]);
      assert.equal(wins.filter(Boolean).length, 1);
      await a.schedules.put({ ...state(5), lastFired: 4, lastFingerprint: 'f' });
      assert.deepEqual(await b.schedules.get('p'), {
        pipelineArn: 'p',
        nextRun: 5,
        lastFired: 4,
        lastFingerprint: 'f',
      });
      await a.schedules.delete('p');
      assert.equal(await b.schedules.get('p'), undefined);
    });

    test('audit log: appended and queried', async () => {
      const store = await fresh();
      const entry = (operation: string, requestId: string, at: string) => ({
        at,
        accountId: ACCOUNT,
        accessKeyId: 'AK',
        operation,
        resourceArn: null,
        sourceIp: '127.0.0.1',
        outcome: 'success',
        requestId,
      });
      await store.audit.append(entry('CreateComponent', 'r1', '2026-01-01T00:00:00.000Z'));
      await store.audit.append(entry('GetImage', 'r2', '2026-01-02T00:00:00.000Z'));
      assert.deepEqual(
        (await store.audit.query({})).map((e) => e.requestId),
        ['r1', 'r2'],
      );
      assert.deepEqual(
        (await store.audit.query({ since: '2026-01-02' })).map((e) => e.operation),
        ['GetImage'],
      );
      assert.deepEqual(
        (await store.audit.query({ operation: 'CreateComponent' })).map((e) => e.requestId),
        ['r1'],
      );
      assert.deepEqual(
        (await store.audit.query({ requestId: 'r2', limit: 1 })).map((e) => e.requestId),
        ['r2'],
      );
    });

    test('image events: recorded on insert and on status changes only; deliveries once per URL; pruning', async () => {
      const store = await fresh();
      const img = image('e', '1.0.0', 1, { status: 'PENDING' });
      await store.resources.insert(img);
      await store.resources.update(img.arn, { ...img.doc, description: 'no status change' });
      await store.resources.update(img.arn, { ...img.doc, state: { status: 'AVAILABLE' } });
      await store.resources.insert(component('not-an-image', '1.0.0', 1));
      const events = await store.events.imageEvents(0, 10);
      assert.deepEqual(
        events.map((e) => [e.imageArn, e.status]),
        [
          [img.arn, 'PENDING'],
          [img.arn, 'AVAILABLE'],
        ],
      );
      assert.equal((events[1]!.doc['state'] as { status: string }).status, 'AVAILABLE');
      assert.ok(events[0]!.seq < events[1]!.seq);
      assert.deepEqual(await store.events.imageEvents(events[0]!.seq, 10), [events[1]]);
      assert.equal(await store.events.cursor('c'), 0);
      await store.events.setCursor('c', events[1]!.seq);
      await store.events.setCursor('c', events[0]!.seq); // never moves back
      assert.equal(await store.events.cursor('c'), events[1]!.seq);

      for (const e of events) {
        await store.events.addDelivery({ eventSeq: e.seq, topicArn: 't', url: 'http://a', body: 'b', now: 100 });
        await store.events.addDelivery({ eventSeq: e.seq, topicArn: 't', url: 'http://a', body: 'b', now: 100 });
      }
      assert.equal((await store.events.deliveries()).length, 2);
      assert.equal((await store.events.dueDeliveries(99, 5, 10)).length, 0);
      const due = await store.events.dueDeliveries(100, 5, 10);
      assert.deepEqual(
        due.map((d) => d.eventSeq),
        events.map((e) => e.seq),
      );
      // Two senders claiming at once: each delivery goes to one of them, held for the lease.
      const other = await peer(store);
      const [x, y] = await Promise.all([
        store.events.claimDeliveries(100, 5, 10, 1000),
        other.events.claimDeliveries(100, 5, 10, 1000),
      ]);
      assert.deepEqual([...x, ...y].map((d) => d.id).sort(), due.map((d) => d.id).sort());
      assert.deepEqual(await store.events.claimDeliveries(1099, 5, 10, 1000), []);
      assert.deepEqual(
        (await store.events.claimDeliveries(1100, 5, 10, 1000)).map((d) => d.id),
        due.map((d) => d.id),
      );
      await store.events.markDelivered(due[0]!.id, '2026-01-01T00:00:00.000Z');
      await store.events.markFailed(due[1]!.id, 'HTTP 500', 5000);
      const after = await store.events.deliveries();
      assert.deepEqual(
        after.map((d) => [d.attempts, d.deliveredAt, d.lastError, d.nextAttemptAt]),
        [
          [1, '2026-01-01T00:00:00.000Z', null, 2100],
          [1, null, 'HTTP 500', 5000],
        ],
      );
      const future = '9999-01-01T00:00:00.000Z';
      // The second event's delivery may still be tried: only the first event goes.
      assert.deepEqual(
        await store.events.prune({ before: future, upToSeq: events[1]!.seq, maxAttempts: 5, limit: 10 }),
        { events: 1, deliveries: 1 },
      );
      assert.deepEqual(
        await store.events.prune({ before: future, upToSeq: events[1]!.seq, maxAttempts: 1, limit: 10 }),
        { events: 1, deliveries: 1 },
      );
      assert.deepEqual(await store.events.imageEvents(0, 10), []);
    });

    test('lifecycle executions and the resources each acted on', async () => {
      const store = await fresh();
      await store.lifecycleExecutions.put(
        { id: 'e1', policyArn: 'pol', doc: { a: 1 }, startedAt: '2026-01-01T00:00:00.000Z' },
        [{ resourceId: 'img1' }, { other: true }],
      );
      await store.lifecycleExecutions.put(
        { id: 'e2', policyArn: 'pol', doc: { a: 2 }, startedAt: '2026-01-02T00:00:00.000Z' },
        [],
      );
      await store.lifecycleExecutions.put(
        { id: 'e1', policyArn: 'pol', doc: { a: 3 }, startedAt: '2026-01-01T00:00:00.000Z' },
        [{ resourceId: 'img1' }],
      );
      assert.deepEqual((await store.lifecycleExecutions.get('e1'))?.doc, { a: 3 });
      assert.deepEqual(
        (await store.lifecycleExecutions.byResource('pol')).map((e) => e.id),
        ['e2', 'e1'],
      );
      assert.deepEqual(
        (await store.lifecycleExecutions.byResource('img1')).map((e) => e.id),
        ['e1'],
      );
      assert.deepEqual(await store.lifecycleExecutions.resources('e1'), [{ resourceId: 'img1' }]);
      assert.equal(await store.lifecycleExecutions.get('none'), undefined);
    });

    test('workflow executions and their steps are kept, in order, and found by status', async () => {
      const store = await fresh();
      const imageArn = 'arn:aws:imagebuilder:us-east-1:123456789012:image/i/1.0.0/1';
      const workflowArn = 'arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/1.0.0/1';
      const base = { imageArn, workflowArn, account: '123456789012', startedAt: '2026-12-04T10:00:00.000Z' };
      const wf = store.workflowExecutions;
      await wf.putExecution({ ...base, id: 'wf-1', status: 'RUNNING', doc: { type: 'BUILD' } });
      await wf.putExecution({ ...base, id: 'wf-1', status: 'COMPLETED', doc: { type: 'BUILD' } });
      await wf.putExecution({ ...base, id: 'wf-0', status: 'RUNNING', doc: { type: 'TEST' } });
      await wf.putStep({ ...base, id: 'step-b', executionId: 'wf-1', seq: 1, status: 'WAITING', doc: {} });
      await wf.putStep({ ...base, id: 'step-a', executionId: 'wf-1', seq: 0, status: 'WAITING', doc: {} });
      await wf.putStep({ ...base, id: 'step-a', executionId: 'wf-1', seq: 0, status: 'COMPLETED', doc: { name: 'A' } });
      assert.equal((await wf.getExecution('wf-1'))?.status, 'COMPLETED');
      assert.equal(await wf.getExecution('wf-none'), undefined);
      assert.deepEqual(
        (await wf.executionsOfImage(imageArn)).map((e) => e.id),
        ['wf-1', 'wf-0'],
        'same start: insertion order',
      );
      assert.deepEqual(
        (await wf.stepsOfExecution('wf-1')).map((s) => [s.id, s.seq]),
        [
          ['step-a', 0],
          ['step-b', 1],
        ],
      );
      assert.deepEqual(
        (await wf.stepsInStatus('123456789012', 'WAITING')).map((s) => s.id),
        ['step-b'],
      );
      assert.equal((await wf.getStep('step-a'))?.doc['name'], 'A');
      assert.deepEqual(await wf.stepsInStatus('999999999999', 'WAITING'), []);
    });
  });
}
