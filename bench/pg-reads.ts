/**
 * @module Benchmark of the PostgreSQL store's read path in one process (issue 17), without HTTP:
 * the server's CPU per GetImage and per ListImages page spent in the store and the `pg` driver,
 * 16 calls at a time, alternated in rounds: GetImage as two queries on the pool (as before), as one
 * statement (`getWithNewest`) on the pool, and pipelined; a ListImages page on the pool and
 * pipelined. `BENCH_IMAGES` images seeded (default 20,000; the cost per call hardly depends on it),
 * `BENCH_ROUNDS` rounds (default 4); medians and the load average printed. The pool variants run
 * with `PgDatabase.read` sent through `query` (the pool), the only difference between them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgDatabase } from '../src/store/postgres/database.ts';
import { openPostgresStore } from '../src/store/postgres/index.ts';
import { versionScopeRanges } from '../src/store/sort-key.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { ACCOUNTS, imageRow, REGION, seedPostgres } from './api-load-seed.ts';

const IMAGES = Number(process.env['BENCH_IMAGES'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 4);
const CALLS = 4000;
const CONCURRENCY = 16;

const pgs = await startPostgres();
const home = mkdtempSync(join(tmpdir(), 'ingot-bench-'));
try {
  const url = await pgs.createDatabase();
  await (await openPostgresStore(url, { home })).close(); // migrations, secret key
  await seedPostgres(url, IMAGES, Math.round(IMAGES / 10));
  const store = await openPostgresStore(url, { home });
  const pipelinedRead = PgDatabase.prototype.read;
  let pipelined = true;
  PgDatabase.prototype.read = function (this: PgDatabase, sql, params) {
    return pipelined ? pipelinedRead.call(this, sql, params) : this.query(sql, params);
  } as typeof pipelinedRead;
  // Builds of the bench account spread over its images.
  const arns = Array.from({ length: 200 }, (_, k) => imageRow(ACCOUNTS.length * ((k * 23) % (IMAGES / 4)), '').arn);
  const ranges = (arn: string) => {
    const m = /image\/([^/]+)\/([^/]+)\//.exec(arn)!;
    return versionScopeRanges(ACCOUNTS[0], m[1]!, m[2]!);
  };
  const page = () =>
    store.resources.listDocuments({
      type: 'image',
      region: REGION,
      accounts: [ACCOUNTS[0]],
      limit: 25,
      latestBuildOnly: true,
    });
  const ops: [string, boolean, (arn: string) => Promise<unknown>][] = [
    [
      'GetImage: two queries, pool',
      false,
      async (a) => [await store.resources.get(a), await store.resources.newestInRanges('image', REGION, ranges(a))],
    ],
    ['GetImage: one statement, pool', false, (a) => store.resources.getWithNewest(a, ranges(a))],
    ['GetImage: one statement, pipelined', true, (a) => store.resources.getWithNewest(a, ranges(a))],
    ['ListImages page: pool', false, page],
    ['ListImages page: pipelined', true, page],
  ];
  const figures = new Map<string, { us: number; perS: number; load: number }[]>();
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, pipe, op] of ops) {
      pipelined = pipe;
      for (let i = 0; i < 300; i++) await op(arns[i % arns.length]!); // warm-up
      let next = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < CALLS) await op(arns[next++ % arns.length]!);
        }),
      );
      const cpu = process.cpuUsage(cpu0);
      const f = {
        us: (cpu.user + cpu.system) / CALLS,
        perS: CALLS / ((performance.now() - t0) / 1000),
        load: loadavg()[0]!,
      };
      figures.set(name, [...(figures.get(name) ?? []), f]);
      console.error(
        `round ${round + 1}: ${name}: ${f.us.toFixed(0)} µs CPU per call, ${f.perS.toFixed(0)}/s, load ${f.load.toFixed(2)}`,
      );
    }
  await store.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  console.log(
    `| store call (${IMAGES} images, ${CONCURRENCY} at a time) | CPU µs per call, median (all rounds) | calls/s, median | load avg (1 min) |`,
  );
  console.log('|---|---|---|---|');
  for (const [name, fs] of figures)
    console.log(
      `| ${name} | ${median(fs.map((f) => f.us)).toFixed(0)} (${fs.map((f) => f.us.toFixed(0)).join(', ')}) | ${median(fs.map((f) => f.perS)).toFixed(0)} | ${Math.min(...fs.map((f) => f.load)).toFixed(1)}-${Math.max(...fs.map((f) => f.load)).toFixed(1)} |`,
    );
  console.log(JSON.stringify({ benchmark: 'pg-reads', images: IMAGES, figures: Object.fromEntries(figures) }));
} finally {
  await pgs.stop();
  rmSync(home, { recursive: true, force: true });
}
