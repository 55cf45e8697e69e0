/**
 * @module Benchmark of the API's read path (issue: control plane). Seeds 10,000 images and 1,000
 * components, starts `ingot server` as its own process, and drives GetImage and ListImages
 * (paginated) with wrk over loopback using pre-signed SigV4 requests. Prints a table and JSON.
 * Targets: >= 2,000 requests/s and p99 < 20 ms on 2 cores.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { databaseFile } from '../src/server/config.ts';
import { signRequest, type SignedRequest } from './sign.ts';

const KEY = { accessKeyId: 'AKIAINGOTBENCH000001', secretAccessKey: 'ingot-bench-secret-0000000000000000000001' };
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const IMAGES = 10_000;
const COMPONENTS = 1_000;

async function seed(home: string): Promise<string> {
  const store = openSqliteStore(databaseFile(home));
  const now = new Date().toISOString();
  let sample = '';
  await store.transaction(async () => {
    for (let i = 0; i < IMAGES; i++) {
      const name = `image-${Math.floor(i / 10)}`;
      const version = `1.0.${i % 10}`;
      const arn = `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:image/${name}/${version}/1`;
      if (i === 4242) sample = arn;
      const doc = {
        arn,
        type: 'AMI',
        name,
        version,
        platform: 'Linux',
        osVersion: 'Debian 12',
        state: { status: 'AVAILABLE' },
        dateCreated: now,
        outputResources: {},
        tags: { team: 'bench' },
        buildType: 'USER_INITIATED',
        imageSource: 'CUSTOM',
        enhancedImageMetadataEnabled: true,
      };
      await store.resources.insert({
        arn,
        type: 'image',
        account: ACCOUNT,
        region: REGION,
        name,
        version,
        build: 1,
        doc,
        createdAt: now,
        updatedAt: now,
      });
    }
    for (let i = 0; i < COMPONENTS; i++) {
      const arn = `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:component/component-${i}/1.0.0/1`;
      const doc = {
        arn,
        name: `component-${i}`,
        version: '1.0.0',
        platform: 'Linux',
        type: 'BUILD',
        owner: ACCOUNT,
        data: 'name: x\nschemaVersion: 1.0\nphases: []\n',
        dateCreated: now,
        tags: {},
      };
      await store.resources.insert({
        arn,
        type: 'component',
        account: ACCOUNT,
        region: REGION,
        name: `component-${i}`,
        version: '1.0.0',
        build: 1,
        doc,
        createdAt: now,
        updatedAt: now,
      });
    }
  });
  await store.close();
  return sample;
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
  name: string;
  rps: number;
  p50ms: number;
  p99ms: number;
  requests: number;
  non2xx: number;
  load1Before: number;
  load1After: number;
}

function runWrk(name: string, url: string, r: SignedRequest, dir: string): Result {
  const script = join(dir, `${name}.lua`);
  writeFileSync(script, luaFor(r));
  // The 1-minute load average around the run: figures taken on a busy machine are not comparable.
  const load1Before = loadavg()[0]!;
  const out = execFileSync('wrk', ['-t1', '-c16', '-d10s', '--latency', '-s', script, url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1] ?? 0);
  const j = JSON.parse(/JSON (\{.*\})/.exec(out)?.[1] ?? '{}') as {
    p50: number;
    p99: number;
    requests: number;
    errors: number;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  return {
    name,
    rps,
    p50ms: j.p50 / 1000,
    p99ms: j.p99 / 1000,
    requests: j.requests,
    non2xx,
    load1Before,
    load1After: loadavg()[0]!,
  };
}

async function main(): Promise<void> {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw new Error('wrk is not installed: apt-get install wrk');
  }
  const home = mkdtempSync(join(tmpdir(), 'ingot-bench-'));
  const t0 = performance.now();
  const sample = await seed(home);
  console.error(
    `seeded ${IMAGES} images and ${COMPONENTS} components in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const port = 17780 + Math.floor(Math.random() * 1000);
  const server = spawn(process.execPath, ['src/cli/main.ts', 'server', '--port', String(port), '--quiet'], {
    env: {
      ...process.env,
      INGOT_HOME: home,
      INGOT_ACCESS_KEY_ID: KEY.accessKeyId,
      INGOT_SECRET_ACCESS_KEY: KEY.secretAccessKey,
      INGOT_ACCOUNT_ID: ACCOUNT,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const get = await signRequest({
      url,
      method: 'GET',
      path: '/GetImage',
      query: { imageBuildVersionArn: sample },
      region: REGION,
      credentials: KEY,
    });
    const list = await signRequest({
      url,
      method: 'POST',
      path: '/ListImages',
      body: JSON.stringify({ maxResults: 25, owner: 'Self' }),
      region: REGION,
      credentials: KEY,
    });
    // Warm up (managed catalogue seeding, statement cache, JIT).
    for (const r of [get, list])
      await fetch(`${url}${r.path}`, {
        method: r.method,
        headers: r.headers,
        ...(r.body ? { body: r.body } : {}),
      }).then((res) => res.text());
    const results = [runWrk('GetImage', url, get, home), runWrk('ListImages', url, list, home)];
    console.log(
      '| operation | requests/s | p50 ms | p99 ms | requests | non-2xx | vs 2000 rps | p99 vs 20 ms | load avg (1 min) before, after |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)} | ${r.requests} | ${r.non2xx} | ${(r.rps / 2000).toFixed(2)}x | ${(r.p99ms / 20).toFixed(2)}x | ${r.load1Before.toFixed(2)}, ${r.load1After.toFixed(2)} |`,
      );
    }
    console.log(JSON.stringify({ benchmark: 'api-load', images: IMAGES, components: COMPONENTS, results }));
  } finally {
    // Wait for the server to close its database before removing its home: a removal racing the
    // shutdown can leave the directory behind.
    const exited =
      server.exitCode !== null || server.signalCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
