/**
 * The whole build farm of issue 17, on one real PostgreSQL: two `ingot server` replicas (A and B,
 * separate processes and data directories, no embedded worker) and three `ingot worker
 * --control-plane` build hosts, each with its own data directory and in its own network namespace
 * (a veth pair into a bridge the replicas listen on), two with their own worker tokens (`ingot
 * workers token create`) and one with the farm's shared token, publishing to a shared site directory.
 * A pipeline created through A and started through B is built on a build host and published once,
 * and both replicas list its packages (from the SBOM the build host sent); then the faults, on the same farm: a build host killed with -9 mid-build leaves the job to another
 * (retried once, one image on the site); a build host whose network is cut loses its lease, the job
 * is retried on another and its late result is refused (409); replica B killed with -9 while clients
 * keep going (retrying on A) and a build runs: no acknowledged write is lost, the build ends AVAILABLE.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { siteKeyOf } from '../../src/distribution/distribute.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { INGOT_BIN, runIngot, TEST_BASES_HOME } from '../helpers/cli.ts';
import { type PostgresServer, postgresSkip, startPostgres } from '../helpers/postgres.ts';
import { type ReplicaSet, startReplicas } from '../helpers/replicas.ts';
import { TEST_KEY } from '../helpers/server.ts';
import { BASE, componentDoc, createComponent, ct, TEST_ACCOUNT, waitForImage } from '../pipelines/helpers.ts';

const skip =
  process.getuid?.() !== 0
    ? 'needs root (network namespaces, sandboxes)'
    : !hasIp()
      ? 'needs iproute2 (ip netns)'
      : (postgresSkip ?? false);
function hasIp(): boolean {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const TOKEN = 'farm-slow-test-token-0123456789';
const tag = String(process.pid % 100_000);
const net = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
const bridge = `ingbr${tag}`;
const root = mkdtempSync(join(tmpdir(), 'farm-slow-'));
const site = join(root, 'site');
const euSite = join(root, 'eu-site');
const configFile = join(root, 'config.json');
let pg: PostgresServer | undefined;
let replicas: ReplicaSet;
/** The farm's database, read by the test (leases, attempts). */
let store: Store;
let a: ib.ImagebuilderClient;
let b: ib.ImagebuilderClient;
/** Replica B's CloudWatch Logs API (the build log of every build, whichever replica its host talks to). */
let logsB: CloudWatchLogsClient;
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
const alive = () => [...hosts.values()].filter((h) => h.proc.exitCode === null && h.proc.signalCode === null);

/** Namespace `i` with its veth pair; tried twice (`ip netns add` races other users of /run/netns). */
function addNamespace(i: number): { ns: string; link: string; address: string } {
  try {
    return tryNamespace(i);
  } catch {
    try {
      ip('netns', 'del', `ingot-farm-${tag}-${i}`);
    } catch {}
    try {
      ip('link', 'del', `ingh${tag}${i}`);
    } catch {}
    return tryNamespace(i);
  }
}

function tryNamespace(i: number): { ns: string; link: string; address: string } {
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

/** Build host `i`, in its own namespace and data directory, on the worker API of `controlPlane`. */
async function startHost(i: number, controlPlane: string, token = TOKEN): Promise<Host> {
  const { ns, link, address } = addNamespace(i);
  const id = `farm-${i}`;
  const proc = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      INGOT_BIN,
      'worker',
      '--control-plane',
      controlPlane,
      '--id',
      id,
      '--metrics',
      `${address}:0`,
    ],
    {
      env: {
        ...process.env,
        INGOT_HOME: join(root, `host-${i}`),
        INGOT_BASES_HOME: TEST_BASES_HOME,
        INGOT_CONFIG: configFile,
        INGOT_WORKER_TOKEN: token,
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
  hosts.set(id, host);
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', () => host.out.includes(' ready ') && resolve());
    proc.once('exit', (code) => reject(new Error(`ingot worker ${id} exited ${code}: ${host.out}`)));
  });
  return host;
}

/** Stops a build host; returns false when it did not stop within `ms` (then it is killed). */
async function stopHost(h: Host, signal: NodeJS.Signals, ms = 30_000): Promise<boolean> {
  if (h.proc.exitCode !== null || h.proc.signalCode !== null) return true;
  const exited = new Promise((r) => h.proc.once('exit', r));
  h.proc.kill(signal);
  const stopped = await Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);
  if (!stopped) {
    h.proc.kill('SIGKILL');
    await exited;
  }
  return stopped;
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
  // eu-west-1's site is a file until a test makes it a directory: distributions there fail.
  writeFileSync(euSite, 'not a directory yet');
  writeFileSync(
    configFile,
    JSON.stringify({ sites: { 'us-east-1': { directory: site }, 'eu-west-1': { directory: euSite } } }),
  );
  pg = await startPostgres();
  const databaseUrl = await pg.createDatabase();
  const secretKey = randomBytes(32).toString('base64');
  replicas = await startReplicas(databaseUrl, 2, {
    host: `${net}.1`,
    env: {
      INGOT_SECRET_KEY: secretKey,
      INGOT_BASES_HOME: TEST_BASES_HOME,
      INGOT_CONFIG: configFile,
      INGOT_WORKER_TOKEN: TOKEN,
      INGOT_BUILD_LEASE_SECONDS: '3',
      INGOT_BUILD_MAX_ATTEMPTS: '2',
      INGOT_IMAGE_FORMATS: 'tar',
    },
  });
  store = await openStore({ home: root, databaseUrl, secretKey, secretKeyFile: undefined });
  [a, b] = replicas.replicas.map((r) => r.client()) as [ib.ImagebuilderClient, ib.ImagebuilderClient];
  const [ra, rb] = replicas.replicas.map((r) => r.url);
  logsB = new CloudWatchLogsClient({ endpoint: rb!, region: 'us-east-1', credentials: TEST_KEY, maxAttempts: 1 });
  // Two build hosts on replica A's worker API, each with its own token (made by the operator
  // command on the farm's database); one on B's with the farm's shared token.
  const tokenOf = async (name: string) => {
    const made = await runIngot(
      ['workers', 'token', 'create', name],
      { INGOT_HOME: root, INGOT_DATABASE_URL: databaseUrl, INGOT_SECRET_KEY: secretKey },
      60_000,
    );
    assert.equal(made.code, 0, made.stderr);
    return made.stdout.trim();
  };
  const [t1, t2] = [await tokenOf('farm-1'), await tokenOf('farm-2')];
  await Promise.all([startHost(1, ra!, t1), startHost(2, ra!, t2), startHost(3, rb!)]);
  infra = (
    await a.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'farm',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
});

after(async () => {
  if (skip) return rmSync(root, { recursive: true, force: true });
  const slow: string[] = [];
  for (const h of hosts.values()) {
    try {
      ip('link', 'set', h.link, 'up');
    } catch {}
    if (!(await stopHost(h, 'SIGTERM'))) slow.push(`${h.id}:\n${h.out}`);
  }
  await replicas?.stop();
  await store?.close();
  await pg?.stop();
  // Every namespace and veth this run may have made (also those of a host that failed to start).
  for (const i of new Set([1, 2, 3, ...[...hosts.keys()].map((id) => Number(id.split('-')[1]))])) {
    try {
      ip('netns', 'del', `ingot-farm-${tag}-${i}`);
    } catch {}
    try {
      ip('link', 'del', `ingh${tag}${i}`);
    } catch {}
  }
  try {
    ip('link', 'del', bridge);
  } catch {}
  rmSync(root, { recursive: true, force: true });
  // A build host must stop on SIGTERM even when its control plane is gone (replica B was killed).
  assert.deepEqual(slow, [], 'every build host stopped within 30 s of SIGTERM');
});

async function recipeWith(client: ib.ImagebuilderClient, name: string, command: string): Promise<string> {
  const component = await createComponent(client, name, '1.0.0', [command]);
  return (
    await client.send(
      new ib.CreateImageRecipeCommand({
        name,
        semanticVersion: '1.0.0',
        parentImage: BASE,
        components: [{ componentArn: component }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
}

async function imageWith(name: string, command: string): Promise<string> {
  const recipe = await recipeWith(a, name, command);
  return (
    await a.send(
      new ib.CreateImageCommand({ imageRecipeArn: recipe, infrastructureConfigurationArn: infra, clientToken: ct() }),
    )
  ).imageBuildVersionArn!;
}

/** The image's jobs once none is queued or running (a host reports its result just after AVAILABLE). */
async function settledJobs(arn: string) {
  for (let i = 0; i < 120; i++) {
    const jobs = await store.jobs.byResource(arn);
    if (jobs.every((j) => j.state !== 'queued' && j.state !== 'running')) return jobs;
    await sleep(250);
  }
  return store.jobs.byResource(arn);
}

/** What the build hosts said and where the jobs are, printed when a test fails (CI logs). */
async function dump(err: unknown): Promise<never> {
  for (const h of hosts.values())
    console.error(`--- ${h.id} (${h.proc.exitCode ?? h.proc.signalCode ?? 'running'}):\n${h.out.slice(-4000)}`);
  for (const r of replicas.replicas) console.error(`--- replica ${r.url} stderr:\n${r.stderr().slice(-2000)}`);
  for (const j of await store.jobs.runningJobs())
    console.error(`running: ${j.id} ${j.kind} ${j.resourceArn} ${j.leaseOwner}`);
  throw err;
}

/** Waits until the build step runs on some host; returns that host (the job's lease owner). */
async function holderOf(arn: string, marker: string): Promise<Host> {
  for (let i = 0; i < 600 && !pids(marker).length; i++) await sleep(250);
  assert.ok(pids(marker).length, `the step '${marker}' runs`);
  const job = (await store.jobs.byResource(arn)).at(-1)!;
  const host = hosts.get(job.leaseOwner ?? '');
  assert.ok(host, `a build host of this test holds the job (${job.leaseOwner})`);
  return host;
}

/**
 * The attempts logged for `arn`, read through replica B's logs API alone (GetLogEvents, page by
 * page): hosts 1 and 2 send their lines to A, host 3 to B, so the lines of a build that ran on A's
 * hosts reach B only through the store.
 */
async function starts(arn: string): Promise<number[]> {
  const [name, version, build] = arn.split('/').slice(-3);
  const image = (await b.send(new ib.GetImageCommand({ imageBuildVersionArn: arn }))).image;
  const logGroupName = image?.loggingConfiguration?.logGroupName ?? `/aws/imagebuilder/${name}`;
  const messages: string[] = [];
  let nextToken: string | undefined;
  for (;;) {
    const page = await logsB.send(
      new GetLogEventsCommand({ logGroupName, logStreamName: `${version}/${build}`, startFromHead: true, nextToken }),
    );
    messages.push(...(page.events ?? []).map((e) => e.message ?? ''));
    if (!page.events?.length || page.nextForwardToken === nextToken) break;
    nextToken = page.nextForwardToken;
  }
  return messages
    .flatMap((m) => [...m.matchAll(/build of \S+ started \(job \S+, attempt (\d) of (\d)/g)])
    .map((m) => Number(m[1]));
}

/** The image builds published to the shared site (the account's part, images built in us-east-1). */
const siteImages = () => {
  const dir = join(site, TEST_ACCOUNT, 'images', 'us-east-1');
  return existsSync(dir) ? readdirSync(dir) : [];
};
/** The files of one image's copy on the site. */
const siteCopy = (arn: string) => {
  const dir = join(site, TEST_ACCOUNT, 'images', siteKeyOf(arn));
  return existsSync(dir) ? readdirSync(dir) : [];
};

let pipeline: string;

test('a pipeline created through replica A and started through replica B is built once on a build host', {
  skip,
  timeout: 240_000,
}, async () => {
  try {
    const recipe = await recipeWith(a, 'farm-pipeline', 'sleep 2.468 && echo built-on-the-farm');
    pipeline = (
      await a.send(
        new ib.CreateImagePipelineCommand({
          name: 'farm-pipeline',
          imageRecipeArn: recipe,
          infrastructureConfigurationArn: infra,
          clientToken: ct(),
        }),
      )
    ).imagePipelineArn!;
    const before = siteImages().length;
    const arn = (
      await b.send(new ib.StartImagePipelineExecutionCommand({ imagePipelineArn: pipeline, clientToken: ct() }))
    ).imageBuildVersionArn!;
    assert.match(arn, /\/farm-pipeline\/1\.0\.0\/1$/);
    const image = await waitForImage(b, arn, undefined, 200_000);
    assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
    const jobs = await settledJobs(arn);
    assert.equal(jobs.length, 1, 'one build job');
    assert.equal(jobs[0]!.state, 'succeeded');
    assert.equal(jobs[0]!.attempts, 1);
    assert.ok(hosts.has(jobs[0]!.leaseOwner ?? ''), `a build host ran it (${jobs[0]!.leaseOwner})`);
    assert.deepEqual(await starts(arn), [1], 'one attempt, logged to the control plane');
    // Published once to the region's site; seen alike through both replicas.
    assert.equal(siteImages().length, before + 1, `one new image on the site, got ${siteImages().join(', ')}`);
    assert.equal(image.outputResources?.amis?.length, 1);
    assert.ok(siteCopy(arn).length, `the image's outputs are on the site (${siteKeyOf(arn)})`);
    // The build host's SBOM reached the control plane: both replicas list the image's packages.
    for (const c of [a, b]) {
      const packages: ib.ImagePackage[] = [];
      for await (const page of ib.paginateListImagePackages({ client: c }, { imageBuildVersionArn: arn }))
        packages.push(...(page.imagePackageList ?? []));
      assert.ok(
        packages.some((p) => p.packageName === 'dpkg'),
        `dpkg among ${packages.length} packages`,
      );
    }
    for (const c of [a, b]) {
      const listed = (await c.send(new ib.ListImagePipelineImagesCommand({ imagePipelineArn: pipeline })))
        .imageSummaryList!;
      assert.deepEqual(
        listed.map((s) => s.arn),
        [arn],
        'one image of the pipeline, build number 1',
      );
    }
  } catch (err) {
    await dump(err);
  }
});

test('a remotely built image whose distribution failed: DistributeImage is refused with the reason, RetryImage builds it again', {
  skip,
  timeout: 240_000,
}, async () => {
  try {
    const recipe = await recipeWith(a, 'farm-retry', 'true');
    const distributionConfigurationArn = (
      await a.send(
        new ib.CreateDistributionConfigurationCommand({
          name: 'farm-two-regions',
          distributions: ['us-east-1', 'eu-west-1'].map((region) => ({
            region,
            amiDistributionConfiguration: { name: 'farm-retry {{ imagebuilder:buildDate }}' },
          })),
          clientToken: ct(),
        }),
      )
    ).distributionConfigurationArn!;
    const arn = (
      await a.send(
        new ib.CreateImageCommand({
          imageRecipeArn: recipe,
          infrastructureConfigurationArn: infra,
          distributionConfigurationArn,
          clientToken: ct(),
        }),
      )
    ).imageBuildVersionArn!;
    const failed = await waitForImage(b, arn, undefined, 200_000);
    assert.equal(failed.state?.status, 'FAILED');
    assert.match(failed.state?.reason ?? '', /eu-west-1/);
    const refused = await b
      .send(
        new ib.DistributeImageCommand({
          sourceImage: arn,
          distributionConfigurationArn,
          executionRole: 'ingot',
          clientToken: ct(),
        }),
      )
      .catch((e: Error) => e);
    assert.ok(refused instanceof Error);
    assert.match(refused.message, /was built on a build host .* its outputs are in that host's data directory/);
    rmSync(euSite);
    mkdirSync(euSite);
    await b.send(new ib.RetryImageCommand({ imageBuildVersionArn: arn, clientToken: ct() }));
    const retried = await waitForImage(a, arn, undefined, 200_000);
    assert.equal(retried.state?.status, 'AVAILABLE', retried.state?.reason);
    assert.deepEqual(
      retried.outputResources?.amis?.map((x) => x.region),
      ['us-east-1', 'eu-west-1'],
    );
    const jobs = await settledJobs(arn);
    assert.deepEqual(
      jobs.map((j) => [j.kind, j.state]),
      [
        ['image-build', 'failed'],
        ['image-build', 'succeeded'],
      ],
      'built again on a build host (its outputs were on the first host only)',
    );
    assert.ok(hosts.has(jobs[1]!.leaseOwner ?? ''));
    assert.ok(readdirSync(join(euSite, TEST_ACCOUNT, 'images', siteKeyOf(arn))).length, 'published to eu-west-1');
  } catch (err) {
    await dump(err);
  }
});

test('a build host killed with -9 mid-build: the job is retried once on another host, one image on the site', {
  skip,
  timeout: 240_000,
}, async () => {
  try {
    const before = siteImages().length;
    const arn = await imageWith('farm-kill', 'sleep 6.321');
    const holder = await holderOf(arn, 'sleep 6.321');
    // A line goes out as soon as it is logged: the first attempt's start reaches the control plane
    // while its step runs (the kill may still lose the lines of the last milliseconds).
    for (let i = 0; i < 50 && !(await starts(arn)).includes(1); i++) await sleep(100);
    assert.deepEqual(await starts(arn), [1], 'the first attempt is logged to the control plane while it runs');
    await stopHost(holder, 'SIGKILL');
    for (const pid of pids('sleep 6.321')) process.kill(pid, 'SIGKILL'); // the dead host's build step
    const image = await waitForImage(b, arn, undefined, 200_000);
    assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
    const [job, ...more] = await settledJobs(arn);
    assert.equal(more.length, 0, 'one job');
    assert.equal(job!.attempts, 2, 'retried exactly once');
    assert.equal(job!.state, 'succeeded');
    assert.notEqual(job!.leaseOwner, holder.id, 'another host finished it');
    assert.deepEqual(
      await starts(arn),
      [1, 2],
      'both attempts logged, read through one replica (one of them ran on a host of the other)',
    );
    const survivor = hosts.get(job!.leaseOwner!)!;
    const metricsUrl = /metrics at (\S+)/.exec(survivor.out)?.[1];
    assert.ok(metricsUrl, 'the build host serves its metrics');
    const metrics = await (await fetch(metricsUrl)).text();
    assert.match(metrics, /^ingot_builds_total\{kind="image-build",outcome="succeeded"\} [1-9]/m);
    assert.match(metrics, /^ingot_build_stage_duration_seconds_count\{stage="build"\} [1-9]/m);
    assert.match(metrics, /^ingot_worker_heartbeats_total\{answer="ok"\} [1-9]/m);
    assert.equal(siteImages().length, before + 1, `one more image on the site, got ${siteImages().join(', ')}`);
    assert.equal(image.outputResources?.amis?.length, 1);
  } catch (err) {
    await dump(err);
  }
});

test('a build host cut off mid-build loses its lease; the job is retried on another host; its late result is refused', {
  skip,
  timeout: 240_000,
}, async () => {
  try {
    assert.ok(alive().length >= 2, 'two build hosts are left');
    const arn = await imageWith('farm-cut', 'sleep 7.654');
    const cut = await holderOf(arn, 'sleep 7.654');
    ip('link', 'set', cut.link, 'down');
    const image = await waitForImage(a, arn, undefined, 200_000);
    assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
    const [job] = await settledJobs(arn);
    assert.equal(job!.attempts, 2);
    assert.notEqual(job!.leaseOwner, cut.id);
    assert.match(cut.out, /lease is lost, stopping the build/);
    ip('link', 'set', cut.link, 'up');
    for (let i = 0; i < 120 && !/refused the result/.test(cut.out); i++) await sleep(500);
    assert.match(
      cut.out,
      /refused the result \(409\): lease lost: job \S+ has ended \(succeeded\)|refused the result \(409\): lease lost: job \S+ is held by/,
    );
    assert.equal((await store.jobs.get(job!.id))?.state, 'succeeded', 'the late result changed nothing');
  } catch (err) {
    await dump(err);
  }
});

/** A connection-level failure (the server is gone), as opposed to an answer from the service. */
const isConnectionError = (err: unknown): boolean =>
  !(err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

test('replica B killed with -9 while clients keep going and a build runs: nothing acknowledged is lost, the build ends AVAILABLE', {
  skip,
  timeout: 240_000,
}, async () => {
  try {
    const [, replicaB] = replicas.replicas;
    // The build runs on a host of replica A (B's host stops): this is about the API replica dying.
    for (const h of alive()) if (h.id === 'farm-3') await stopHost(h, 'SIGTERM');
    const arn = (
      await b.send(new ib.StartImagePipelineExecutionCommand({ imagePipelineArn: pipeline, clientToken: ct() }))
    ).imageBuildVersionArn!;
    assert.match(arn, /\/farm-pipeline\/1\.0\.0\/2$/, 'the next build number');
    for (let i = 0; i < 600 && (await store.jobs.byResource(arn))[0]?.state !== 'running'; i++) await sleep(250);
    assert.equal((await store.jobs.byResource(arn))[0]?.state, 'running', 'a build host took the build');
    let acknowledged = 0;
    let killed = false;
    const create = async (i: number) => {
      const input = {
        name: `farm-kill-replica-${i}`,
        semanticVersion: '1.0.0',
        platform: 'Linux' as const,
        data: componentDoc(`farm-kill-replica-${i}`, ['true']),
        clientToken: `farm-kill-replica-${i}`,
      };
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await (attempt === 0 && i % 2 ? b : a).send(new ib.CreateComponentCommand(input));
          if (++acknowledged === 15 && !killed) {
            killed = true;
            replicaB!.kill();
          }
          return r.componentBuildVersionArn!;
        } catch (err) {
          if (!isConnectionError(err) || attempt > 5) throw err;
          await sleep(100);
        }
      }
    };
    const made = await Promise.all(Array.from({ length: 60 }, (_, i) => create(i)));
    assert.ok(killed, 'replica B was killed while clients were writing');
    for (const componentBuildVersionArn of made)
      assert.ok((await a.send(new ib.GetComponentCommand({ componentBuildVersionArn }))).component);
    const image = await waitForImage(a, arn, undefined, 200_000);
    assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
    const jobs = await settledJobs(arn);
    assert.equal(jobs.length, 1, 'one build job');
    assert.ok(jobs[0]!.attempts <= 2, `attempts ${jobs[0]!.attempts}`);
    const listed = (await a.send(new ib.ListImagePipelineImagesCommand({ imagePipelineArn: pipeline })))
      .imageSummaryList!;
    assert.deepEqual(listed.map((s) => s.arn!.split('/').at(-1)).sort(), ['1', '2'], 'two builds, no duplicate');
  } catch (err) {
    await dump(err);
  }
});
