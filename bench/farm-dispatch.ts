/**
 * @module Benchmark of the build farm's dispatch path (issue 17): `ingot server --no-worker` as its own
 * process, build hosts as worker-API clients (claim → heartbeat → result, no engine: no-op builds),
 * jobs enqueued into the server's database at a steady rate by another process (as another API
 * replica would). Prints dispatch latency (queued → claimed) p50/p99, the control plane's CPU per
 * job (utime+stime of the server process from /proc), and jobs/s of 1 vs 3 hosts on builds that
 * sleep 1 s (so the figure measures Ingot, not this machine's CPUs). Goal: p99 < 1 s.
 * `BENCH_STORE=postgres` runs it on a PostgreSQL cluster of its own (test/helpers/postgres.ts)
 * instead of SQLite: one bench run measures one store.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { enqueueJob } from '../src/queue/queue.ts';
import { databaseFile } from '../src/server/config.ts';
import { openPostgresStore } from '../src/store/postgres/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { startPostgres } from '../test/helpers/postgres.ts';

const TOKEN = 'bench-farm-token-0123456789abcdef';
const JOBS = Number(process.env['BENCH_FARM_JOBS'] ?? 2000);
const RATE = Number(process.env['BENCH_FARM_RATE'] ?? 100); // jobs enqueued per second
const labels = { arch: 'x86_64', kvm: false, instanceTypes: ['ingot.medium'], freeGib: 100 };
const load = () => loadavg()[0]!.toFixed(2);

const STORE = process.env['BENCH_STORE'] ?? 'sqlite';
if (STORE !== 'sqlite' && STORE !== 'postgres') throw new Error(`BENCH_STORE must be sqlite or postgres, not ${STORE}`);

const home = mkdtempSync(join(tmpdir(), 'bench-farm-'));
const pgServer = STORE === 'postgres' ? await startPostgres() : undefined;
const databaseUrl = await pgServer?.createDatabase();
// Opened (and migrated) before the server starts; the enqueuing side, as another API replica.
const store = databaseUrl ? await openPostgresStore(databaseUrl, { home }) : openSqliteStore(databaseFile(home));
const server = spawn(join(import.meta.dirname, '../bin/ingot'), ['server', '--no-worker', '--quiet', '--port', '0'], {
  env: {
    ...process.env,
    ...(databaseUrl ? { INGOT_DATABASE_URL: databaseUrl } : {}),
    INGOT_HOME: home,
    INGOT_WORKER_TOKEN: TOKEN,
    INGOT_BUILD_LEASE_SECONDS: '30',
    INGOT_ACCESS_KEY_ID: 'AKIAINGOTBENCHFARM01',
    INGOT_SECRET_ACCESS_KEY: 'bench-farm-secret-000000000000000000000001',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening on (\S+)/.exec(out);
    if (m) resolve(m[1]!);
  });
  server.once('exit', (c) => reject(new Error(`server exited ${c}`)));
});
const cpuMs = () => {
  const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, USER_HZ 100
};
const post = async (path: string, body: unknown) => {
  const res = await fetch(`${url}/worker/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.status === 204 ? undefined : ((await res.json()) as { job?: { id: string; resourceArn: string } });
};
/**
 * When each job was handed to the queue, by resource ARN, taken before the enqueue call: a host
 * may claim a job before the enqueuing call has returned (the time was once set after it, and
 * such claims measured NaN, which broke the sorting of the latencies).
 */
const queuedAt = new Map<string, number>();
const latencies: number[] = [];

/** One build host: claims until `until()` says stop; each job: a heartbeat, `workMs` of "building", the result. */
async function host(id: string, workMs: number, until: () => boolean): Promise<number> {
  let done = 0;
  while (!until()) {
    const answer = await post('/claim', { workerId: id, labels, waitSeconds: 2 });
    if (!answer?.job) continue;
    const jobId = answer.job.id;
    const queued = queuedAt.get(answer.job.resourceArn);
    if (queued === undefined) throw new Error(`claimed a job the bench did not queue: ${answer.job.resourceArn}`);
    latencies.push(performance.now() - queued);
    await post(`/jobs/${jobId}/heartbeat`, { workerId: id });
    if (workMs) await sleep(workMs);
    await post(`/jobs/${jobId}/result`, { workerId: id, outcome: 'succeeded' });
    done++;
  }
  return done;
}

let n = 0;
const enqueue = async () => {
  const resourceArn = `arn:aws:imagebuilder:us-east-1:123456789012:image/bench/1.0.0/${++n}`;
  queuedAt.set(resourceArn, performance.now());
  await enqueueJob(store.jobs, {
    kind: 'image-build',
    resourceArn,
    payload: { accountId: '123456789012', region: 'us-east-1' },
  });
};

try {
  // 1. Dispatch latency: JOBS no-op builds enqueued at RATE/s, three hosts.
  const loadBefore = load();
  const cpu0 = cpuMs();
  const t0 = performance.now();
  let finished = 0;
  const hosts = ['a', 'b', 'c'].map((h) =>
    host(`bench-${h}`, 0, () => finished >= JOBS).then((d) => {
      finished += 0;
      return d;
    }),
  );
  const counter = setInterval(async () => {
    finished = (await store.jobs.countByState()).succeeded ?? 0;
  }, 50);
  for (let i = 0; i < JOBS; i++) {
    await enqueue();
    const due = t0 + ((i + 1) * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const enqueueSeconds = (performance.now() - t0) / 1000;
  const perHost = await Promise.all(hosts);
  clearInterval(counter);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuMs() - cpu0;
  // A sorted copy of this part's latencies: the sleeping builds below add theirs to `latencies`
  // (percentiles once taken after them read those unsorted extra entries as the tail).
  const sorted = latencies.splice(0).sort((x, y) => x - y);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  // 2. Scaling on builds that wait: 30 jobs of 1 s each, 1 host then 3 hosts.
  const scaling: Record<string, number> = {};
  for (const count of [1, 3]) {
    const base = (await store.jobs.countByState()).succeeded ?? 0;
    for (let i = 0; i < 30; i++) await enqueue();
    const s0 = performance.now();
    let left = 30;
    const watch = setInterval(async () => {
      left = 30 - (((await store.jobs.countByState()).succeeded ?? 0) - base);
    }, 50);
    await Promise.all(Array.from({ length: count }, (_, i) => host(`sleepy-${count}-${i}`, 1000, () => left <= 0)));
    clearInterval(watch);
    scaling[`${count} host(s)`] = 30 / ((performance.now() - s0) / 1000);
  }
  const result = {
    jobs: JOBS,
    enqueueRate: RATE,
    p50Ms: Math.round(pct(50)),
    p99Ms: Math.round(pct(99)),
    maxMs: Math.round(sorted.at(-1)!),
    jobsPerSecond: Math.round(JOBS / seconds),
    enqueuedPerSecond: Math.round(JOBS / enqueueSeconds),
    serverCpuMsPerJob: Number((cpu / JOBS).toFixed(2)),
    perHost,
    sleepingBuildsPerSecond: Object.fromEntries(Object.entries(scaling).map(([k, v]) => [k, Number(v.toFixed(2))])),
    load1m: `${loadBefore} → ${load()}`,
  };
  console.log(`| figure (${STORE}) | value |\n|---|---|`);
  console.log(
    `| dispatch latency (queued → claimed), ${JOBS} no-op builds at ${RATE}/s, 3 hosts | p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (goal p99 < 1,000 ms) |`,
  );
  console.log(
    `| builds dispatched per second (queued per second by the other process) | ${result.jobsPerSecond} (${result.enqueuedPerSecond}) |`,
  );
  console.log(`| control-plane CPU per build (claim + heartbeat + result) | ${result.serverCpuMsPerJob} ms |`);
  console.log(
    `| builds that sleep 1 s: 1 host → 3 hosts | ${scaling['1 host(s)']!.toFixed(2)} → ${scaling['3 host(s)']!.toFixed(2)} builds/s (${(scaling['3 host(s)']! / scaling['1 host(s)']!).toFixed(2)}×) |`,
  );
  console.log(`| 1-minute load average before → after | ${result.load1m} |`);
  console.log(JSON.stringify({ bench: 'farm-dispatch', store: STORE, ...result }));
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await store.close();
  await pgServer?.stop();
  rmSync(home, { recursive: true, force: true });
}
