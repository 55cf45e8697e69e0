/**
 * @module Benchmark of the API's read path (issue 17). Seeds `BENCH_IMAGES` images (default
 * 1,000,000) and a tenth as many components into SQLite and/or PostgreSQL (`BENCH_STORE` =
 * sqlite|postgres|both), starts `ingot server` on each as its own process, and drives GetImage and
 * ListImages (first page and a deep page by nextToken) with wrk over loopback using pre-signed
 * SigV4 requests. Prints a table (with the server's, the database's and wrk's own CPU per request)
 * and JSON. `BENCH_COMPARE=DIR` also runs the server of another checkout (e.g. main) on the same
 * seeded data, each operation against both in turn (before, after). `BENCH_ROUNDS=N` repeats the
 * alternation N times and adds a table of medians; `BENCH_SECONDS` is each wrk run's length (10; after an uncounted 2 s warm-up).
 * Targets: >= 2,000 requests/s and p99 < 20 ms on 2 cores.
 */
import { type ChildProcess, spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { openPostgresStore } from '../src/store/postgres/index.ts';
import { databaseFile } from '../src/server/config.ts';
import { encodeToken } from '../src/services/common/pagination.ts';
import { startPostgres, type PostgresServer } from '../test/helpers/postgres.ts';
import { ACCOUNTS, imageRow, REGION, seedPostgres, seedSqlite } from './api-load-seed.ts';
import { signRequest, type SignedRequest } from './sign.ts';

const KEY = { accessKeyId: 'AKIAINGOTBENCH000001', secretAccessKey: 'ingot-bench-secret-0000000000000000000001' };
const ACCOUNT = ACCOUNTS[0];
const IMAGES = Number(process.env['BENCH_IMAGES'] ?? 1_000_000);
const COMPONENTS = Math.round(IMAGES / 10);
/** Rounds of the before/after alternation (a shared machine's load swings within minutes: take medians). */
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 1);
/** Seconds of each wrk run, and of the uncounted warm-up before it. */
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const WARMUP_SECONDS = 2;
const STORES =
  (process.env['BENCH_STORE'] ?? 'both') === 'both' ? ['sqlite', 'postgres'] : [process.env['BENCH_STORE']!];

/** utime+stime in ms of one process (USER_HZ 100). */
function cpuMsOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0; // exited
  }
}

/** CPU ms of this process's children that ended and were waited for (cutime+cstime): wrk's, after each run. */
function childrenCpuMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}

/** CPU ms of the PostgreSQL cluster on `port`, by process: its postmaster and every backend it forked. */
function postgresCpuMs(port: number): Map<string, number> {
  const procs = readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d));
  const master = procs.find((d) => {
    try {
      return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').includes(`-p ${port} `);
    } catch {
      return false;
    }
  });
  const ms = new Map<string, number>();
  if (!master) return ms;
  ms.set(master, cpuMsOf(Number(master)));
  for (const d of procs) {
    try {
      if (readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === master)
        ms.set(d, cpuMsOf(Number(d)));
    } catch {
      /* exited */
    }
  }
  return ms;
}

/**
 * CPU ms the cluster's processes used between two snapshots: what each process alive at the end
 * used since the first (or since it started). A backend that exited meanwhile (an idle pool
 * connection closing) is left out, never counted negative.
 */
function cpuDelta(before: Map<string, number>, after: Map<string, number>): number {
  let ms = 0;
  for (const [pid, end] of after) ms += Math.max(0, end - (before.get(pid) ?? 0));
  return ms;
}

function luaFor(r: SignedRequest): string {
  const headers = Object.entries(r.headers).filter(
    ([k]) => k.toLowerCase() !== 'host' && k.toLowerCase() !== 'content-length',
  );
  return [
    `wrk.method = ${JSON.stringify(r.method)}`,
    `wrk.path = ${JSON.stringify(r.path)}`,
    `wrk.body = ${JSON.stringify(r.body)}`,
    ...headers.map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
    // Count non-2xx answers: a fast error is not a result.
    'local bad = 0',
    'response = function(status) if status ~= 200 then bad = bad + 1 end end',
    'done = function(summary, latency, requests) io.write(string.format("JSON {\\"p50\\":%d,\\"p99\\":%d,\\"requests\\":%d,\\"errors\\":%d}\\n", latency:percentile(50), latency:percentile(99), summary.requests, summary.errors.status)) end',
  ].join('\n');
}

interface Result {
  store: string;
  name: string;
  rps: number;
  p50ms: number;
  p99ms: number;
  requests: number;
  non2xx: number;
  /** Server process CPU (utime+stime) per request, µs. */
  serverCpuUs: number;
  /** PostgreSQL's CPU (postmaster and backends) per request, µs; 0 on SQLite. */
  dbCpuUs: number;
  /** The load generator's (wrk's) own CPU per request, µs: it shares the cores with the server. */
  loadGenCpuUs: number;
  load1Before: number;
  load1After: number;
}

function runWrk(
  store: string,
  name: string,
  url: string,
  r: SignedRequest,
  dir: string,
  cpu: () => [number, Map<string, number>],
): Result {
  const script = join(dir, `${name}.lua`);
  writeFileSync(script, luaFor(r));
  // Warm-up, not counted: the server's JIT and the database's caches for this operation.
  execFileSync('wrk', ['-t1', '-c16', `-d${WARMUP_SECONDS}s`, '-s', script, url], { stdio: 'ignore' });
  // The 1-minute load average around the run: figures taken on a busy machine are not comparable.
  const load1Before = loadavg()[0]!;
  const [s0, d0] = cpu();
  const w0 = childrenCpuMs();
  const out = execFileSync('wrk', ['-t1', '-c16', `-d${SECONDS}s`, '--latency', '-s', script, url], {
    encoding: 'utf8',
  });
  const [s1, d1] = cpu();
  const w1 = childrenCpuMs();
  const rps = Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1] ?? 0);
  const j = JSON.parse(/JSON (\{.*\})/.exec(out)?.[1] ?? '{}') as {
    p50: number;
    p99: number;
    requests: number;
    errors: number;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const per = (ms: number) => Math.round((ms * 1000) / Math.max(1, j.requests));
  return {
    store,
    name,
    rps,
    p50ms: j.p50 / 1000,
    p99ms: j.p99 / 1000,
    requests: j.requests,
    non2xx,
    serverCpuUs: per(s1 - s0),
    dbCpuUs: per(cpuDelta(d0, d1)),
    loadGenCpuUs: per(w1 - w0),
    load1Before,
    load1After: loadavg()[0]!,
  };
}

/** Seeds one store in a fresh home; the server's extra environment for it. */
async function prepare(
  kind: string,
  home: string,
  pgServer: () => Promise<PostgresServer>,
): Promise<{ env: Record<string, string>; dbCpu: () => Map<string, number> }> {
  const t0 = performance.now();
  let env: Record<string, string> = {};
  let dbCpu = () => new Map<string, number>();
  if (kind === 'sqlite') {
    await openSqliteStore(databaseFile(home)).close(); // migrations
    seedSqlite(databaseFile(home), IMAGES, COMPONENTS);
  } else if (kind === 'postgres') {
    const server = await pgServer();
    const url = await server.createDatabase();
    await (await openPostgresStore(url, { home })).close(); // migrations, secret key
    await seedPostgres(url, IMAGES, COMPONENTS);
    env = { INGOT_DATABASE_URL: url };
    dbCpu = () => postgresCpuMs(server.port);
  } else throw new Error(`BENCH_STORE must be sqlite, postgres or both, not ${kind}`);
  console.error(
    `${kind}: seeded ${IMAGES} images and ${COMPONENTS} components in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { env, dbCpu };
}

/** The checkouts whose servers are measured: BENCH_COMPARE=DIR (another checkout, e.g. main) first, then this one. */
const CHECKOUTS: { label: string; cwd: string }[] = [
  ...(process.env['BENCH_COMPARE'] ? [{ label: 'before', cwd: process.env['BENCH_COMPARE'] }] : []),
  { label: process.env['BENCH_COMPARE'] ? 'after' : '', cwd: process.cwd() },
];

/** `ingot server` of one checkout on the seeded home; resolves with it and its URL once it listens. */
async function startServer(cwd: string, home: string, env: Record<string, string>) {
  // BENCH_CPU_PROF=DIR: the server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const prof = process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : [];
  const server = spawn(process.execPath, [...prof, 'src/cli/main.ts', 'server', '--port', '0', '--quiet'], {
    cwd,
    env: {
      ...process.env,
      ...env,
      INGOT_HOME: home,
      INGOT_ACCESS_KEY_ID: KEY.accessKeyId,
      INGOT_SECRET_ACCESS_KEY: KEY.secretAccessKey,
      INGOT_ACCOUNT_ID: ACCOUNT,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { server, url };
}

/** The three signed requests against one server; every one answers 200 with a full page first (warm-up). */
async function requestsFor(url: string): Promise<[string, SignedRequest][]> {
  // A build of the bench account half-way through its images; the deep page starts 3/4 through.
  const mine = (f: number) => ACCOUNTS.length * Math.floor((f * IMAGES) / ACCOUNTS.length);
  const sample = imageRow(mine(0.5), '').arn;
  const deepToken = encodeToken('ListImages', imageRow(mine(0.75), '').sortKey)!;
  const sign = (method: 'GET' | 'POST', path: string, o: { query?: Record<string, string>; body?: string }) =>
    signRequest({ url, method, path, ...o, region: REGION, credentials: KEY });
  const requests: [string, SignedRequest][] = [
    ['GetImage', await sign('GET', '/GetImage', { query: { imageBuildVersionArn: sample } })],
    ['ListImages', await sign('POST', '/ListImages', { body: JSON.stringify({ maxResults: 25, owner: 'Self' }) })],
    [
      'ListImages deep page',
      await sign('POST', '/ListImages', {
        body: JSON.stringify({ maxResults: 25, owner: 'Self', nextToken: deepToken }),
      }),
    ],
  ];
  // Warm up (managed catalogue seeding, statement cache, JIT).
  for (const [name, r] of requests) {
    const res = await fetch(`${url}${r.path}`, {
      method: r.method,
      headers: r.headers,
      ...(r.body ? { body: r.body } : {}),
    });
    const body = (await res.json()) as { imageVersionList?: unknown[] };
    if (res.status !== 200) throw new Error(`${name} answered ${res.status}: ${JSON.stringify(body)}`);
    if (body.imageVersionList && body.imageVersionList.length !== 25)
      throw new Error(`${name}: ${body.imageVersionList.length} items, not 25`);
  }
  return requests;
}

async function benchStore(kind: string, pgServer: () => Promise<PostgresServer>): Promise<Result[]> {
  const home = mkdtempSync(join(tmpdir(), 'ingot-bench-'));
  const { env, dbCpu } = await prepare(kind, home, pgServer);
  const servers: { label: string; server: ChildProcess; url: string; requests: [string, SignedRequest][] }[] = [];
  try {
    for (const c of CHECKOUTS) {
      const { server, url } = await startServer(c.cwd, home, env);
      servers.push({ label: c.label, server, url, requests: [] });
      servers.at(-1)!.requests = await requestsFor(url);
    }
    // Each operation against each checkout's server in turn, so a before/after pair shares its minute.
    const results: Result[] = [];
    for (let round = 0; round < ROUNDS; round++)
      for (let i = 0; i < 3; i++)
        for (const s of servers) {
          const [name, r] = s.requests[i]!;
          const cpu = (): [number, Map<string, number>] => [cpuMsOf(s.server.pid!), dbCpu()];
          results.push(runWrk(s.label ? `${kind} (${s.label})` : kind, name, s.url, r, home, cpu));
        }
    return results;
  } finally {
    // Wait for the servers to close the database before removing the home: a removal racing the
    // shutdown can leave the directory behind.
    for (const { server } of servers) {
      const exited =
        server.exitCode !== null || server.signalCode !== null
          ? Promise.resolve()
          : new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  }
}

/** Per store and operation, the median of the rounds' figures, and the load range they ran at. */
function printMedians(results: Result[]): void {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const groups = new Map<string, Result[]>();
  for (const r of results) {
    const key = `${r.store} | ${r.name}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  console.log(
    `\nMedians of ${ROUNDS} rounds:\n| store | operation | requests/s | p99 ms | server CPU µs/request | PostgreSQL CPU µs/request | load avg (1 min) |`,
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const [key, rs] of groups) {
    const loads = rs.flatMap((r) => [r.load1Before, r.load1After]);
    console.log(
      `| ${key} | ${median(rs.map((r) => r.rps)).toFixed(0)} | ${median(rs.map((r) => r.p99ms)).toFixed(1)} | ${median(rs.map((r) => r.serverCpuUs))} | ${r0(rs) ? median(rs.map((r) => r.dbCpuUs)) : '-'} | ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} |`,
    );
  }
}
const r0 = (rs: Result[]) => rs[0]!.store.startsWith('postgres');

async function main(): Promise<void> {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw new Error('wrk is not installed: apt-get install wrk');
  }
  let pg: PostgresServer | undefined;
  const pgServer = async () => (pg ??= await startPostgres());
  const results: Result[] = [];
  try {
    for (const kind of STORES) results.push(...(await benchStore(kind, pgServer)));
  } finally {
    await pg?.stop();
  }
  console.log(
    '| store | operation | requests/s | p50 ms | p99 ms | requests | non-2xx | server CPU µs/request | PostgreSQL CPU µs/request | wrk CPU µs/request | vs 2000 rps | p99 vs 20 ms | load avg (1 min) before, after |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.store} | ${r.name} | ${r.rps.toFixed(0)} | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)} | ${r.requests} | ${r.non2xx} | ${r.serverCpuUs} | ${r.store.startsWith('postgres') ? r.dbCpuUs : '-'} | ${r.loadGenCpuUs} | ${(r.rps / 2000).toFixed(2)}x | ${(r.p99ms / 20).toFixed(2)}x | ${r.load1Before.toFixed(2)}, ${r.load1After.toFixed(2)} |`,
    );
  }
  if (ROUNDS > 1) printMedians(results);
  console.log(JSON.stringify({ benchmark: 'api-load', images: IMAGES, components: COMPONENTS, results }));
}

await main();
