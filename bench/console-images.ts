/**
 * @module Benchmark of the web console (issue 18): with 10,000 images stored, how long the images
 * page takes to be interactive (first page of the table shown, from navigation start, in a fresh
 * browser context: nothing cached) in real headless Chromium against `ingot server` on loopback,
 * beside the anchor: the aws CLI's `list-images --max-results 25` (the same first page, CLI path).
 * Target: < 1 s. Prints a table, the load average, and a JSON line.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseFile } from '../src/server/config.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { launchBrowser } from '../test/helpers/browser.ts';

const KEY = { accessKeyId: 'AKIAINGOTBENCH000002', secretAccessKey: 'ingot-bench-secret-0000000000000000000002' };
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const IMAGES = 10_000;
const RUNS = 7;

async function seed(home: string): Promise<void> {
  const store = openSqliteStore(databaseFile(home));
  const now = Date.now();
  await store.transaction(async () => {
    for (let i = 0; i < IMAGES; i++) {
      const name = `image-${Math.floor(i / 10)}`;
      const version = `1.0.${i % 10}`;
      const arn = `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:image/${name}/${version}/1`;
      const created = new Date(now - (IMAGES - i) * 1000).toISOString();
      const doc = {
        arn,
        type: 'DOCKER',
        name,
        version,
        platform: 'Linux',
        osVersion: 'Debian 12',
        state: { status: 'AVAILABLE' },
        dateCreated: created,
        outputResources: {},
        buildType: 'USER_INITIATED',
        imageSource: 'CUSTOM',
      };
      await store.resources.insert({
        ...{ arn, type: 'image', account: ACCOUNT, region: REGION, name, version, build: 1, doc },
        createdAt: created,
        updatedAt: created,
      });
    }
  });
  await store.close();
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'ingot-bench-console-'));
  const t0 = performance.now();
  await seed(home);
  console.error(`seeded ${IMAGES} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const server = spawn(process.execPath, ['src/cli/main.ts', 'server', '--port', '0', '--quiet'], {
    env: {
      ...process.env,
      INGOT_HOME: home,
      INGOT_ACCESS_KEY_ID: KEY.accessKeyId,
      INGOT_SECRET_ACCESS_KEY: KEY.secretAccessKey,
      INGOT_ACCOUNT_ID: ACCOUNT,
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const browser = await launchBrowser();
  try {
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout.on('data', (d: Buffer) => {
        const m = /listening on (http:\/\/\S+)/.exec(d.toString());
        if (m) resolve(m[1]!);
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const load1Before = loadavg()[0]!;
    const session = JSON.stringify({ ...KEY, region: REGION });
    const page: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript((s) => sessionStorage.setItem('ingot-console-session', s), session);
      const tab = await context.newPage();
      const cdp = await context.newCDPSession(tab);
      await cdp.send('Performance.enable');
      const start = performance.now();
      await tab.goto(`${url}/console/#/images`);
      await tab.locator('table tbody tr a').first().waitFor({ timeout: 30_000 });
      const ms = performance.now() - start;
      // The page's main-thread busy time (script, style, layout): what the page costs, whatever the load.
      const { metrics } = await cdp.send('Performance.getMetrics');
      const taskMs = (metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
      const rows = await tab.locator('table tbody tr').count();
      if (rows !== 25) throw new Error(`the images page shows ${rows} rows, not one API page of 25`);
      await context.close();
      if (i > 0) {
        // the first run warms the server (statement cache, JIT)
        page.push(ms);
        cpu.push(taskMs);
      }
    }
    const cli: number[] = [];
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
    };
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      execFileSync('aws', ['imagebuilder', 'list-images', '--max-results', '25', '--endpoint-url', url], { env });
      cli.push(performance.now() - start);
    }
    const load1After = loadavg()[0]!;
    const ok = median(page) < 1000;
    console.log('| path (10,000 images stored) | median ms | max ms | target |');
    console.log('|---|---|---|---|');
    console.log(
      `| console images page interactive (fresh context, ${RUNS} runs) | ${median(page).toFixed(0)} | ${Math.max(...page).toFixed(0)} | < 1000 ms: ${ok ? 'met' : 'MISSED'} |`,
    );
    console.log(
      `| of which the page's main thread was busy (CDP TaskDuration) | ${median(cpu).toFixed(0)} | ${Math.max(...cpu).toFixed(0)} | - |`,
    );
    console.log(
      `| anchor: aws imagebuilder list-images --max-results 25 | ${median(cli).toFixed(0)} | ${Math.max(...cli).toFixed(0)} | - |`,
    );
    console.log(`load average (1 min): ${load1Before.toFixed(2)} before, ${load1After.toFixed(2)} after`);
    console.log(
      `JSON ${JSON.stringify({ bench: 'console-images', images: IMAGES, pageMedianMs: Math.round(median(page)), pageMaxMs: Math.round(Math.max(...page)), pageBusyMedianMs: Math.round(median(cpu)), cliMedianMs: Math.round(median(cli)), load1Before, load1After })}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
