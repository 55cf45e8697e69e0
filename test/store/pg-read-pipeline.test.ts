/**
 * The PostgreSQL store's pipelined reads (src/store/postgres/pipeline.ts) against a real
 * PostgreSQL: answers reach their own callers, a failing read fails alone, a slow read does not
 * hold up the reads behind it, reads inside a transaction see its writes, queries started at once
 * inside one run one after another on its client, and reads (and the
 * process, whose transaction was cut) survive the database restarting. Skipped with a message only when PostgreSQL's binaries are missing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PgDatabase } from '../../src/store/postgres/database.ts';
import { type PostgresServer, postgresSkip, startPostgres } from '../helpers/postgres.ts';

describe('PostgreSQL pipelined reads', { skip: postgresSkip }, () => {
  let server: PostgresServer;
  let db: PgDatabase;

  before(async () => {
    server = await startPostgres();
    db = new PgDatabase(await server.createDatabase(), 4);
    await db.query('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    await db.query('INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 500) AS i');
  });
  after(async () => {
    await db?.close();
    await server?.stop();
  });

  test('many reads at once each get their own answer', async () => {
    const ids = Array.from({ length: 400 }, (_, i) => 1 + ((i * 7) % 500));
    const rows = await Promise.all(
      ids.map((id) => db.readOne<{ id: number; v: string }>('SELECT id, v FROM t WHERE id = $1', [id])),
    );
    assert.deepEqual(
      rows.map((r) => r?.id),
      ids,
    );
    const expected = await db.query<{ id: number; v: string }>('SELECT id, v FROM t WHERE id = ANY($1::int[])', [
      ids.map(String),
    ]);
    const byId = new Map(expected.map((r) => [r.id, r.v]));
    for (const r of rows) assert.equal(r?.v, byId.get(r!.id));
  });

  test('a failing read fails alone: the reads sent with it are answered', async () => {
    const results = await Promise.allSettled([
      db.readOne<{ id: number }>('SELECT id FROM t WHERE id = $1', [1]),
      db.readOne('SELECT $1::int AS n', ['not a number']),
      db.readOne<{ id: number }>('SELECT id FROM t WHERE id = $1', [2]),
    ]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal((results[0] as PromiseFulfilledResult<{ id: number }>).value.id, 1);
    assert.equal(results[1].status, 'rejected');
    assert.match(String((results[1] as PromiseRejectedResult).reason), /invalid input syntax/);
    assert.equal((results[2] as PromiseFulfilledResult<{ id: number }>).value.id, 2);
  });

  test('a slow read does not hold up the reads sent after it', async () => {
    const slow = Promise.all(Array.from({ length: 3 }, () => db.read('SELECT pg_sleep($1::float8)', ['0.6'])));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const rows = await Promise.all(
      [1, 2, 3].map((id) => db.readOne<{ id: number }>('SELECT id FROM t WHERE id = $1', [id])),
    );
    const waited = performance.now() - started;
    assert.deepEqual(
      rows.map((r) => r?.id),
      [1, 2, 3],
    );
    assert.ok(waited < 400, `reads behind slow ones waited ${waited.toFixed(0)} ms`);
    await slow;
  });

  test('inside a transaction a read sees its uncommitted writes', async () => {
    await db.transaction(async () => {
      await db.query('UPDATE t SET v = $1 WHERE id = $2', ['changed', 3]);
      assert.equal((await db.readOne<{ v: string }>('SELECT v FROM t WHERE id = $1', [3]))?.v, 'changed');
      // Outside the transaction's client (another connection), the change is not there yet.
      assert.notEqual((await db.pool.query('SELECT v FROM t WHERE id = 3')).rows[0].v, 'changed');
    });
    assert.equal((await db.readOne<{ v: string }>('SELECT v FROM t WHERE id = $1', [3]))?.v, 'changed');
  });

  test('queries started at once inside a transaction run one after another on its client (no pg warning)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      await db.transaction(async () => {
        await Promise.all([
          db.query('UPDATE t SET v = $1 WHERE id = $2', ['both', 7]),
          db.read('SELECT pg_sleep($1::float8)', ['0.05']),
          db.count('UPDATE t SET v = $1 WHERE id = $2', ['both', 8]),
          db.readOne('SELECT v FROM t WHERE id = $1', [7]),
        ]);
      });
      // A Promise.all whose first query fails: the rollback waits for the other one.
      await assert.rejects(
        db.transaction(() =>
          Promise.all([
            db.query('SELECT $1::int AS n', ['not a number']),
            db.query('UPDATE t SET v = $1 WHERE id = $2', ['lost', 9]),
          ]),
        ),
        /invalid input syntax/,
      );
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
    const rows = await db.query<{ id: number; v: string }>(
      'SELECT id, v FROM t WHERE id = ANY($1::int[]) ORDER BY id',
      [['7', '8', '9']],
    );
    assert.deepEqual(
      rows.map((r) => r.v === 'both'),
      [true, true, false],
    );
    assert.notEqual(rows[2]?.v, 'lost', 'the failed transaction kept nothing');
  });

  test('a restart between the statements of a transaction fails the transaction, not the process', async () => {
    const outcome = db.transaction(async () => {
      await db.query('UPDATE t SET v = $1 WHERE id = $2', ['in tx', 5]);
      await server.restart(); // the transaction's connection drops while it runs no statement
      await db.query('UPDATE t SET v = $1 WHERE id = $2', ['in tx', 6]);
    });
    await assert.rejects(outcome);
    let row: { v: string } | undefined;
    for (let i = 0; i < 20 && !row; i++) {
      row = await db.readOne<{ v: string }>('SELECT v FROM t WHERE id = $1', [5]).catch(() => undefined);
      if (!row) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.notEqual(row?.v, 'in tx', 'nothing of the failed transaction was kept');
  });

  test('reads work again after the database restarts', async () => {
    assert.equal((await db.readOne<{ id: number }>('SELECT id FROM t WHERE id = $1', [4]))?.id, 4);
    await server.restart();
    // The first reads after the drop may fail with it (as a pooled query in flight would); then they work.
    let row: { id: number } | undefined;
    for (let i = 0; i < 20 && !row; i++) {
      row = await db.readOne<{ id: number }>('SELECT id FROM t WHERE id = $1', [4]).catch(() => undefined);
      if (!row) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(row?.id, 4);
  });
});
