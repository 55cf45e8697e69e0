/**
 * Build hosts as separate `ingot worker --control-plane` processes, each with its own data
 * directory and in its own network namespace (a veth pair into a bridge the control plane listens
 * on), publishing to a shared site directory: a worker killed with -9 mid-build leaves the job to
 * the other (retried once, one image on the site); a worker whose network is cut mid-build loses
 * its lease, the job is retried on the other, and its late result is refused (409). The control
 * plane keeps its store in a real PostgreSQL (the farm's deployment), or SQLite where PostgreSQL's
 * binaries are missing (said in the output).
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { imageLogFile } from '../../src/artifacts/output-dirs.ts';
import { type RunningServer, startServer } from '../../src/server/server.ts';
import { INGOT_BIN, TEST_BASES_HOME } from '../helpers/cli.ts';
import { type PostgresServer, postgresSkip, startPostgres } from '../helpers/postgres.ts';
import { createComponent, ct, TEST_ACCOUNT, TEST_KEY, waitForImage } from '../pipelines/helpers.ts';

const skip =
  process.getuid?.() !== 0
    ? 'needs root (network namespaces, sandboxes)'
    : !hasIp()
      ? 'needs iproute2 (ip netns)'
      : false;
function hasIp(): boolean {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const TOKEN = 'farm-slow-test-token-0123456789';
const LEASE_SECONDS = '3';
const tag = String(process.pid % 100_000);
const net = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
const bridge = `ingbr${tag}`;
const root = mkdtempSync(join(tmpdir(), 'farm-slow-'));
const site = join(root, 'site');
const configFile = join(root, 'config.json');
let server: RunningServer;
let pg: PostgresServer | undefined;
let client: ib.ImagebuilderClient;
let infra: string;

interface Host {
  id: string;
  ns: string;
  link: string;
  proc: ChildProcess;
  out: string;
}
const hosts = new Map<string, Host>();
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

function addNamespace(i: number): { ns: string; link: string; address: string } {
  const ns = `ingot-farm-${tag}-${i}`;
  const link = `ingh${tag}${i}`;
  const peer = `ingw${tag}${i}`;
  const address = `${net}.${10 + i}`;
  ip('netns', 'add', ns);
  ip('link', 'add', link, 'type', 'veth', 'peer', 'name', peer);
  ip('link', 'set', link, 'master', bridge);
  ip('link', 'set', link, 'up');
  ip('link', 'set', peer, 'netns', ns);
  ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', peer);
  ip('-n', ns, 'link', 'set', peer, 'up');
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  return { ns, link, address };
}

async function startHost(i: number): Promise<Host> {
  const { ns, link, address } = addNamespace(i);
  const id = `farm-${i}`;
  const home = join(root, `host-${i}`);
  const proc = spawn(
    'ip',
    ['netns', 'exec', ns, INGOT_BIN, 'worker', '--control-plane', server.url, '--id', id, '--metrics', `${address}:0`],
    {
      env: {
        ...process.env,
        INGOT_HOME: home,
        INGOT_BASES_HOME: TEST_BASES_HOME,
        INGOT_CONFIG: configFile,
        INGOT_WORKER_TOKEN: TOKEN,
        INGOT_QEMU_ACCEL: 'tcg',
        INGOT_IMAGE_FORMATS: 'tar', // the cheapest build path: no disk, no boot in the test phase
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const host: Host = { id, ns, link, proc, out: '' };
  const collect = (d: Buffer) => {
    host.out += d.toString();
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', () => host.out.includes(' ready ') && resolve());
    proc.once('exit', (code) => reject(new Error(`ingot worker ${id} exited ${code}: ${host.out}`)));
  });
  hosts.set(id, host);
  return host;
}

async function stopHost(h: Host, signal: NodeJS.Signals): Promise<void> {
  if (h.proc.exitCode === null && h.proc.signalCode === null) {
    const exited = new Promise((r) => h.proc.once('exit', r));
    h.proc.kill(signal);
    await exited;
  }
}

/** The pids of a build step (by its command line) across every namespace. */
const pids = (pattern: string): number[] => {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

before(async () => {
  if (skip) return;
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', `${net}.1/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  writeFileSync(configFile, JSON.stringify({ sites: { 'us-east-1': { directory: site } } }));
  const home = join(root, 'control-plane');
  if (postgresSkip) console.log(`farm test: control plane on SQLite (${postgresSkip})`);
  pg = postgresSkip ? undefined : await startPostgres();
  const databaseUrl = pg ? await pg.createDatabase() : undefined;
  server = await startServer({
    home,
    host: `${net}.1`,
    port: 0,
    worker: false,
    operations: { scheduler: false, webhooks: false },
    env: {
      INGOT_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
      INGOT_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
      INGOT_ACCOUNT_ID: TEST_ACCOUNT,
      INGOT_BASES_HOME: TEST_BASES_HOME,
      INGOT_CONFIG: configFile,
      INGOT_WORKER_TOKEN: TOKEN,
      INGOT_BUILD_LEASE_SECONDS: LEASE_SECONDS,
      INGOT_BUILD_MAX_ATTEMPTS: '2',
      INGOT_IMAGE_FORMATS: 'tar',
      ...(databaseUrl ? { INGOT_DATABASE_URL: databaseUrl } : {}),
    },
    onError: (e) => console.error('server error', e),
  });
  client = new ib.ImagebuilderClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: TEST_KEY,
    maxAttempts: 1,
  });
  infra = (
    await client.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'farm',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
});

after(async () => {
  if (skip) return;
  for (const h of hosts.values()) {
    try {
      ip('link', 'set', h.link, 'up');
    } catch {}
    await stopHost(h, 'SIGTERM');
  }
  await server.close();
  await pg?.stop();
  for (const h of hosts.values()) {
    try {
      ip('netns', 'del', h.ns);
    } catch {}
  }
  try {
    ip('link', 'del', bridge);
  } catch {}
  rmSync(root, { recursive: true, force: true });
});

async function imageWith(name: string, command: string): Promise<string> {
  const component = await createComponent(client, name, '1.0.0', [command]);
  const recipe = (
    await client.send(
      new ib.CreateImageRecipeCommand({
        name,
        semanticVersion: '1.0.0',
        parentImage: 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x',
        components: [{ componentArn: component }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  return (
    await client.send(
      new ib.CreateImageCommand({ imageRecipeArn: recipe, infrastructureConfigurationArn: infra, clientToken: ct() }),
    )
  ).imageBuildVersionArn!;
}

/** Waits until the build step runs on some host; returns that host (the job's lease owner). */
async function holderOf(arn: string, marker: string): Promise<Host> {
  for (let i = 0; i < 600 && !pids(marker).length; i++) await sleep(250);
  assert.ok(pids(marker).length, `the step '${marker}' runs`);
  const job = (await server.store.jobs.byResource(arn)).at(-1)!;
  const host = hosts.get(job.leaseOwner ?? '');
  assert.ok(host, `a build host of this test holds the job (${job.leaseOwner})`);
  return host;
}

const starts = (arn: string) =>
  [
    ...readFileSync(imageLogFile(server.settings.home, arn), 'utf8').matchAll(
      /build of \S+ started \(job \S+, attempt (\d) of (\d)/g,
    ),
  ].map((m) => Number(m[1]));

test('a build host killed with -9 mid-build: the job is retried once on another host, one image on the site', {
  skip,
  timeout: 240_000,
}, async () => {
  await Promise.all([startHost(1), startHost(2)]);
  const arn = await imageWith('farm-kill', 'sleep 6.321');
  const holder = await holderOf(arn, 'sleep 6.321');
  await stopHost(holder, 'SIGKILL');
  for (const pid of pids('sleep 6.321')) process.kill(pid, 'SIGKILL'); // the dead host's build step
  const image = await waitForImage(client, arn, undefined, 200_000);
  assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
  const [job] = await server.store.jobs.byResource(arn);
  assert.equal(job!.attempts, 2, 'retried exactly once');
  assert.equal(job!.state, 'succeeded');
  assert.notEqual(job!.leaseOwner, holder.id, 'the other host finished it');
  assert.deepEqual(starts(arn), [1, 2], 'both attempts logged to the control plane');
  const survivor = hosts.get(job!.leaseOwner!)!;
  const metricsUrl = /metrics at (\S+)/.exec(survivor.out)?.[1];
  assert.ok(metricsUrl, 'the build host serves its metrics');
  const metrics = await (await fetch(metricsUrl)).text();
  assert.match(metrics, /^ingot_builds_total\{kind="image-build",outcome="succeeded"\} 1$/m);
  assert.match(metrics, /^ingot_build_stage_duration_seconds_count\{stage="build"\} 1$/m);
  assert.match(metrics, /^ingot_worker_heartbeats_total\{answer="ok"\} [1-9]/m);
  const copies = readdirSync(join(site, TEST_ACCOUNT, 'images'));
  assert.equal(copies.length, 1, `one image on the site, got ${copies.join(', ')}`);
  assert.equal(image.outputResources?.amis?.length, 1);
});

test('a build host cut off mid-build loses its lease; the job is retried on another host; its late result is refused', {
  skip,
  timeout: 240_000,
}, async () => {
  while ([...hosts.values()].filter((h) => h.proc.exitCode === null && h.proc.signalCode === null).length < 2)
    await startHost(hosts.size + 1);
  const arn = await imageWith('farm-cut', 'sleep 7.654');
  const cut = await holderOf(arn, 'sleep 7.654');
  ip('link', 'set', cut.link, 'down');
  const image = await waitForImage(client, arn, undefined, 200_000);
  assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
  const [job] = await server.store.jobs.byResource(arn);
  assert.equal(job!.attempts, 2);
  assert.notEqual(job!.leaseOwner, cut.id);
  assert.match(cut.out, /lease is lost, stopping the build/);
  ip('link', 'set', cut.link, 'up');
  for (let i = 0; i < 120 && !/refused the result/.test(cut.out); i++) await sleep(500);
  assert.match(
    cut.out,
    /refused the result \(409\): lease lost: job \S+ has ended \(succeeded\)|refused the result \(409\): lease lost: job \S+ is held by/,
  );
  assert.equal((await server.store.jobs.get(job!.id))?.state, 'succeeded', 'the late result changed nothing');
});
