/**
 * @module `ingot worker` processes sharing the server's store: two workers never run the same
 * build; a worker killed with -9 mid-build leaves the job to another worker after its lease
 * expires (retried, AVAILABLE), and when every attempt was used the image is FAILED with the
 * reason, never left BUILDING.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { INGOT_BIN, TEST_BASES_HOME } from '../helpers/cli.ts';
import {
  BASE,
  createComponent,
  ct,
  skipUnlessRoot,
  startPipelineServer,
  waitForImage,
  type PipelineServer,
} from './helpers.ts';
import { buildLogText } from '../helpers/build-log.ts';

const LEASE_SECONDS = '3';
let t: PipelineServer;
let infra: string;
const workers = new Map<number, ChildProcess>();

before(async () => {
  if (skipUnlessRoot) return;
  t = await startPipelineServer({ worker: false, env: { INGOT_BUILD_MAX_ATTEMPTS: '2' } });
  infra = (
    await t.client.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'w-infra',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
});
after(async () => {
  if (skipUnlessRoot) return;
  await Promise.all([...workers.keys()].map((pid) => stopWorker(pid, 'SIGTERM')));
  await t.stop();
});

async function startWorkerProcess(): Promise<number> {
  const proc = spawn(INGOT_BIN, ['worker'], {
    env: {
      ...process.env,
      INGOT_HOME: t.home,
      INGOT_BASES_HOME: TEST_BASES_HOME,
      INGOT_BUILD_LEASE_SECONDS: LEASE_SECONDS,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    proc.once('exit', (code) => reject(new Error(`ingot worker exited ${code}`)));
  });
  workers.set(proc.pid!, proc);
  return proc.pid!;
}

async function stopWorker(pid: number, signal: NodeJS.Signals): Promise<void> {
  const proc = workers.get(pid)!;
  workers.delete(pid);
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  await exited;
}

const pids = (pattern: string): number[] => {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/** Waits until the build's step runs, kills the worker holding the job, and the step's stragglers (by pid). */
async function killHolder(arn: string, marker: string): Promise<number> {
  for (let i = 0; i < 200 && !pids(marker).length; i++) await new Promise((r) => setTimeout(r, 250));
  assert.ok(pids(marker).length, `the step '${marker}' runs`);
  const job = (await t.server.store.jobs.byResource(arn)).at(-1)!;
  const holder = [...workers.keys()].find((pid) => job.leaseOwner?.endsWith(`:${pid}`));
  assert.ok(holder, `a worker of this test holds the job (${job.leaseOwner})`);
  await stopWorker(holder, 'SIGKILL');
  for (const pid of pids(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone with its worker */
    }
  }
  return holder;
}

async function recipe(name: string, commands: string[]): Promise<string> {
  const comp = await createComponent(t.client, name, '1.0.0', commands);
  return (
    await t.client.send(
      new ib.CreateImageRecipeCommand({
        name,
        semanticVersion: '1.0.0',
        parentImage: BASE,
        components: [{ componentArn: comp }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
}

const createImage = async (recipeArn: string) =>
  (
    await t.client.send(
      new ib.CreateImageCommand({
        imageRecipeArn: recipeArn,
        infrastructureConfigurationArn: infra,
        clientToken: ct(),
      }),
    )
  ).imageBuildVersionArn!;
const starts = async (arn: string) =>
  [
    ...(await buildLogText(t.server.store, arn)).matchAll(
      /build of \S+ started \(job \S+, attempt (\d) of (\d), worker pid (\d+)\)/g,
    ),
  ].map((m) => ({
    attempt: Number(m[1]),
    pid: Number(m[3]),
  }));

test('two worker processes share the queue and never run the same build', { skip: skipUnlessRoot }, async () => {
  const [a, b] = await Promise.all([startWorkerProcess(), startWorkerProcess()]);
  const r = await recipe('w-quick', ['echo quick > /etc/ingot-quick']);
  const arns = [];
  for (let i = 0; i < 4; i++) arns.push(await createImage(r));
  for (const arn of arns) assert.equal((await waitForImage(t.client, arn)).state?.status, 'AVAILABLE');
  for (const arn of arns) {
    assert.equal((await starts(arn)).length, 1, `one run of ${arn}`);
    assert.ok([a, b].includes((await starts(arn))[0]!.pid));
    const [job] = await t.server.store.jobs.byResource(arn);
    assert.equal(job!.attempts, 1);
    assert.equal(job!.state, 'succeeded');
  }
});

test('a worker killed mid-build: another worker retries after the lease; with no attempts left the image FAILS', {
  skip: skipUnlessRoot,
}, async () => {
  while (workers.size < 2) await startWorkerProcess();
  const retried = await createImage(await recipe('w-retry', ['sleep 6.321']));
  const killed = await killHolder(retried, 'sleep 6.321');
  const image = await waitForImage(t.client, retried);
  assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
  const runs = await starts(retried);
  assert.deepEqual(
    runs.map((s) => s.attempt),
    [1, 2],
  );
  assert.equal(runs[0]!.pid, killed);
  assert.notEqual(runs[1]!.pid, killed);
  assert.equal((await t.server.store.jobs.byResource(retried))[0]!.attempts, 2);

  await startWorkerProcess();
  const doomed = await createImage(await recipe('w-doomed', ['sleep 60.123']));
  await killHolder(doomed, 'sleep 60.123'); // attempt 1
  await killHolder(doomed, 'sleep 60.123'); // attempt 2: no attempt left
  await startWorkerProcess(); // any live worker notices the expired lease
  const failed = await waitForImage(t.client, doomed, (s) => s === 'FAILED', 30_000);
  assert.match(failed.state?.reason ?? '', /stopped responding, and all 2 attempt\(s\) are used/);
  assert.equal((await t.server.store.jobs.byResource(doomed))[0]!.state, 'failed');
});

test('a worker stopped with SIGTERM mid-build puts the build back in the queue for another worker', {
  skip: skipUnlessRoot,
}, async () => {
  for (const pid of [...workers.keys()]) await stopWorker(pid, 'SIGTERM');
  const first = await startWorkerProcess();
  const arn = await createImage(await recipe('w-handover', ['sleep 5.432']));
  for (let i = 0; i < 200 && !pids('sleep 5.432').length; i++) await new Promise((r) => setTimeout(r, 250));
  await stopWorker(first, 'SIGTERM');
  const waiting = (await t.client.send(new ib.GetImageCommand({ imageBuildVersionArn: arn }))).image!;
  assert.equal(waiting.state?.status, 'PENDING');
  assert.match(waiting.state?.reason ?? '', /Waiting for a worker/);
  assert.equal((await t.server.store.jobs.byResource(arn))[0]!.state, 'queued');
  const second = await startWorkerProcess();
  assert.equal((await waitForImage(t.client, arn)).state?.status, 'AVAILABLE');
  assert.deepEqual(
    (await starts(arn)).map((s) => s.pid),
    [first, second],
  );
});
