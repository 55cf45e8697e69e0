/**
 * @module Benchmark of the build farm's dispatch path (issue 17): `ingot server --no-worker` as its own
 * process; three build hosts that are the real build-host client (`remoteJobSource` over the worker
 * API, as `ingot worker` with one slot uses it: a claim, then the result, which takes the next job
 * in its answer while jobs are queued; no heartbeat for a build shorter than a third of its lease),
 * running no-op builds; jobs queued into the server's database by this process, as
 * another API replica would. For each store (`BENCH_STORE=sqlite|postgres|both`, default both;
 * PostgreSQL is a cluster of its own), three figures:
 * (a) drain: `BENCH_FARM_JOBS` (default 2,000) builds queued up front, then the three hosts drain
 *     them: builds/s and the control plane's CPU per build (utime+stime of the server from /proc);
 * (b) dispatch latency queued → started (claimed) p50/p99 at each sustained rate of
 *     `BENCH_FARM_RATE` (builds/s, comma-separated, default 50,100) for `BENCH_FARM_SUSTAINED`
 *     builds each (default 1,000), and the CPU per build there;
 * (c) `BENCH_FARM_SLEEPY` builds (default 30) that sleep 1 s on 1 host and on 3 hosts (measures Ingot, not this machine's CPUs).
 * (d) a burst of 2 builds per slot queued in one transaction while the 3 hosts wait idle: claims
 *     that took jobs per build (from the server's /metrics), the slowest start, CPU per build.
 * `BENCH_FARM_SLOTS` (default 1) gives each host that many slots, run as `ingot worker --concurrency`
 * runs them (one claim at a time while a slot is free; a claim asks for every free slot at once).
 * `BENCH_FARM_BEFORE=DIR` also runs DIR's `bin/ingot` (another checkout, e.g. main) as the server,
 * side by side in the same run. Goal: p99 < 1 s.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { enqueueJob } from '../src/queue/queue.ts';
import { workerApiClient } from '../src/worker/remote/client.ts';
import { remoteJobSource } from '../src/worker/remote/source.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { FARM_TOKEN, type FarmServer, startFarmServer } from './farm-server.ts';

const JOBS = Number(process.env['BENCH_FARM_JOBS'] ?? 2000);
const RATES = (process.env['BENCH_FARM_RATE'] ?? '50,100').split(',').map(Number);
const SUSTAINED = Number(process.env['BENCH_FARM_SUSTAINED'] ?? 1000);
const SLEEPY = Number(process.env['BENCH_FARM_SLEEPY'] ?? 30);
/** Slots of each host (`ingot worker --concurrency`); with more than one, a claim asks for every free slot. */
const SLOTS = Number(process.env['BENCH_FARM_SLOTS'] ?? 1);
const STORES =
  (process.env['BENCH_STORE'] ?? 'both') === 'both' ? ['sqlite', 'postgres'] : [process.env['BENCH_STORE']!];
for (const s of STORES)
  if (s !== 'sqlite' && s !== 'postgres') throw new Error(`BENCH_STORE must be sqlite, postgres or both, not ${s}`);
const ROOTS: [string, string][] = [
  ...(process.env['BENCH_FARM_BEFORE'] ? [['before', process.env['BENCH_FARM_BEFORE']] as [string, string]] : []),
  ['this checkout', join(import.meta.dirname, '..')],
];
const labels = { arch: 'x86_64', kvm: false, instanceTypes: ['ingot.medium'], freeGib: 100 };
const load = () => loadavg()[0]!.toFixed(2);
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Runs the three parts against one server; returns its figures. */
async function measure(server: FarmServer) {
  const client = workerApiClient(server.url, FARM_TOKEN);
  const queuedAt = new Map<string, number>();
  let n = 0;
  const enqueue = async () => {
    const resourceArn = `arn:aws:imagebuilder:us-east-1:123456789012:image/bench/1.0.0/${++n}`;
    // Taken before the call: a host may claim the job before the enqueue call has returned.
    queuedAt.set(resourceArn, performance.now());
    await enqueueJob(server.store.jobs, {
      kind: 'image-build',
      resourceArn,
      payload: { accountId: '123456789012', region: 'us-east-1' },
    });
  };
  /** Hosts that run builds of `workMs` until `total` have ended; resolves with the time the last ended. */
  let phase = 0;
  const run = async (hosts: number, workMs: number, total: number, latencies: number[]) => {
    if (!total) return performance.now();
    phase++;
    let finished = 0;
    let endedAt = 0;
    const stop = new AbortController();
    await Promise.all(
      Array.from({ length: hosts }, async (_, i) => {
        const running = new Set<string>();
        const active = new Set<Promise<void>>();
        let claiming = false;
        const source = remoteJobSource({
          client,
          workerId: `bench-${phase}-${i}`,
          labels: async () => labels,
          waitSeconds: 2,
          slots: SLOTS,
          running: () => [...running],
        });
        const runOne = async (claimed: NonNullable<Awaited<ReturnType<typeof source.claim>>>) => {
          latencies.push(performance.now() - queuedAt.get(claimed.job.resourceArn)!);
          if (workMs) await sleep(workMs);
          // As `ingot worker`: a result sent while no claim is on its way asks for the next job
          // (one call per build while jobs wait).
          await source.finish(claimed.job, 'succeeded', undefined, !stop.signal.aborted && !claiming);
          running.delete(claimed.job.id);
          if (++finished === total) {
            endedAt = performance.now();
            stop.abort();
          }
        };
        // As `ingot worker --concurrency SLOTS`: one claim at a time while a slot is free.
        while (!stop.signal.aborted) {
          if (running.size >= SLOTS) {
            await Promise.race(active);
            continue;
          }
          claiming = true;
          const claimed = await source.claim(stop.signal).finally(() => {
            claiming = false;
          });
          if (!claimed) continue;
          running.add(claimed.job.id);
          const done: Promise<void> = runOne(claimed).finally(() => active.delete(done));
          active.add(done);
        }
        await Promise.all(active);
        await source.close?.();
      }),
    );
    // The hosts' last long polls were cut: let the server see them go before the next part queues jobs.
    await sleep(300);
    return endedAt;
  };

  // (a) Drain: all queued first, then the hosts start.
  const e0 = performance.now();
  for (let i = 0; i < JOBS; i++) await enqueue();
  const enqueuedPerSecond = JOBS / ((performance.now() - e0) / 1000);
  const drainLoad = load();
  let cpu0 = server.cpuMs();
  let t0 = performance.now();
  const drainLatencies: number[] = [];
  const drainEnd = await run(3, 0, JOBS, drainLatencies);
  const drain = {
    buildsPerSecond: JOBS / ((drainEnd - t0) / 1000),
    cpuMsPerBuild: (server.cpuMs() - cpu0) / JOBS,
    load: `${drainLoad} → ${load()}`,
  };

  // (b) Sustained rates: queued at each rate while the hosts run.
  const sustained = [];
  for (const rate of RATES) {
    const sustainedLoad = load();
    const latencies: number[] = [];
    cpu0 = server.cpuMs();
    t0 = performance.now();
    const hosts = run(3, 0, SUSTAINED, latencies);
    for (let i = 0; i < SUSTAINED; i++) {
      await enqueue();
      const wait = t0 + ((i + 1) * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const achievedRate = SUSTAINED / ((performance.now() - t0) / 1000);
    await hosts;
    latencies.sort((x, y) => x - y);
    sustained.push({
      rate: achievedRate,
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
      max: latencies.at(-1)!,
      cpuMsPerBuild: (server.cpuMs() - cpu0) / SUSTAINED,
      load: `${sustainedLoad} → ${load()}`,
    });
  }

  // (c) Builds that wait: SLEEPY builds of 1 s, 1 host then 3 hosts.
  const sleepy: number[] = [];
  for (const count of [1, 3]) {
    for (let i = 0; i < SLEEPY; i++) await enqueue();
    const s0 = performance.now();
    const end = await run(count, 1000, SLEEPY, []);
    sleepy.push(SLEEPY / ((end - s0) / 1000));
  }
  // (d) A burst while every host waits idle (a schedule queueing many builds at once): 2 jobs per
  // slot, queued in one transaction; the claims that got jobs, per build, and the slowest start.
  const burstSize = 3 * SLOTS * 2;
  const burstLatencies: number[] = [];
  const burstLoad = load();
  const idle = run(3, 300, burstSize, burstLatencies);
  await sleep(1000); // the hosts' first claims are waiting
  const claims0 = await claimsWithJobs(server.url);
  cpu0 = server.cpuMs();
  await server.store.transaction(async () => {
    for (let i = 0; i < burstSize; i++) await enqueue();
  });
  await idle;
  const burst = {
    jobs: burstSize,
    claimsPerBuild: ((await claimsWithJobs(server.url)) - claims0) / burstSize,
    maxStartMs: Math.max(...burstLatencies),
    cpuMsPerBuild: (server.cpuMs() - cpu0) / burstSize,
    load: `${burstLoad} → ${load()}`,
  };
  return { enqueuedPerSecond, drain, sustained, sleepy, burst };
}

/** The server's claims answered with jobs so far (its /metrics). */
async function claimsWithJobs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^ingot_worker_api_requests_total\{op="claim",status="200"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

const pg = STORES.includes('postgres') ? await startPostgres() : undefined;
const results: { store: string; server: string; figures: Awaited<ReturnType<typeof measure>> }[] = [];
try {
  for (const storeName of STORES)
    for (const [name, root] of ROOTS) {
      const server = await startFarmServer(root, storeName === 'postgres' ? await pg!.createDatabase() : undefined);
      try {
        results.push({ store: storeName, server: name, figures: await measure(server) });
      } finally {
        await server.stop();
      }
    }
} finally {
  await pg?.stop();
}

const f0 = (x: number) => Math.round(x).toLocaleString('en');
console.log(
  `| store, server | (a) ${JOBS.toLocaleString('en')} queued builds drained by 3 hosts × ${SLOTS} slots: builds/s, control-plane CPU per build | (c) builds that sleep 1 s: 1 host → 3 hosts | load during (a) |`,
);
console.log('|---|---|---|---|');
for (const { store, server, figures: f } of results)
  console.log(
    `| ${store}, ${server} | ${f0(f.drain.buildsPerSecond)} builds/s, ${f.drain.cpuMsPerBuild.toFixed(2)} ms (queued up front at ${f0(f.enqueuedPerSecond)}/s) | ${f.sleepy[0]!.toFixed(2)} → ${f.sleepy[1]!.toFixed(2)} builds/s (${(f.sleepy[1]! / f.sleepy[0]!).toFixed(2)}×) | ${f.drain.load} |`,
  );
console.log(
  `\n| store, server | (b) rate queued (× ${SUSTAINED} builds), 3 hosts × ${SLOTS} slots | queued → started p50 / p99 / max (goal p99 < 1,000 ms) | control-plane CPU per build | load |`,
);
console.log('|---|---|---|---|---|');
for (const { store, server, figures: f } of results)
  for (const r of f.sustained)
    console.log(
      `| ${store}, ${server} | ${r.rate.toFixed(0)}/s | ${f0(r.p50)} / ${f0(r.p99)} / ${f0(r.max)} ms ${r.p99 < 1000 ? '(met)' : '(NOT met)'} | ${r.cpuMsPerBuild.toFixed(2)} ms | ${r.load} |`,
    );
console.log(
  `\n| store, server | (d) burst of 2 builds per slot (3 hosts × ${SLOTS} slots, idle) queued at once: claims that took jobs per build | slowest queued → started | control-plane CPU per build | load |`,
);
console.log('|---|---|---|---|---|');
for (const { store, server, figures: f } of results)
  console.log(
    `| ${store}, ${server} | ${f.burst.claimsPerBuild.toFixed(2)} (${f.burst.jobs} builds) | ${f0(f.burst.maxStartMs)} ms | ${f.burst.cpuMsPerBuild.toFixed(2)} ms | ${f.burst.load} |`,
  );
console.log(
  JSON.stringify({ bench: 'farm-dispatch', jobs: JOBS, slots: SLOTS, rates: RATES, sustained: SUSTAINED, results }),
);
