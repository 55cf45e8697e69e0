/**
 * The worker API's protocol against a real server (in process, SQLite): the token, label matching,
 * lease expiry by the control plane's clock, cancellation in the heartbeat answer, the late result
 * of a worker that lost its lease, scoped reads and writes, log lines reaching the build log, and
 * the image's documents (SBOM, manifest) reaching the store; per-host tokens (create, scope, revoke).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { IMAGE_DOCUMENT_MAX_BYTES, readImageDocument } from '../../src/artifacts/image-documents.ts';
import { enqueueJob } from '../../src/queue/queue.ts';
import { type RunningServer, startServer } from '../../src/server/server.ts';
import type { Job } from '../../src/store/types.ts';
import { workerApiClient } from '../../src/worker/remote/client.ts';
import { remoteJobSource } from '../../src/worker/remote/source.ts';
import { runIngot } from '../helpers/cli.ts';
import { buildLogText } from '../helpers/build-log.ts';

const TOKEN = 'farm-test-token-0123456789';
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const home = mkdtempSync(join(tmpdir(), 'farm-api-'));
let server: RunningServer;
let clock = Date.now();
let n = 0;

const labels = (over: Record<string, unknown> = {}) => ({
  arch: 'x86_64',
  kvm: false,
  instanceTypes: ['ingot.medium', 't3.medium'],
  freeGib: 50,
  ...over,
});

async function call(path: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${server.url}/worker/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** An image queued for a build with these instance types (what CreateImage stores, reduced). */
async function queued(instanceTypes?: string[], account = ACCOUNT): Promise<{ arn: string; jobId: string }> {
  const name = `img${++n}`;
  const arn = `arn:aws:imagebuilder:${REGION}:${account}:image/${name}/1.0.0/1`;
  const now = new Date().toISOString();
  await server.store.resources.insert({
    arn,
    type: 'image',
    account,
    region: REGION,
    name,
    version: '1.0.0',
    build: 1,
    doc: {
      arn,
      name,
      version: '1.0.0/1',
      state: { status: 'PENDING' },
      ...(instanceTypes ? { infrastructureConfiguration: { instanceTypes } } : {}),
    },
    createdAt: now,
    updatedAt: now,
  });
  const job = await enqueueJob(server.store.jobs, {
    kind: 'image-build',
    resourceArn: arn,
    payload: { accountId: account, region: REGION },
    maxAttempts: 2,
  });
  return { arn, jobId: job.id };
}

const claim = async (workerId: string, l = labels()) =>
  call('/claim', { workerId, labels: l, waitSeconds: 0 }).then((r) => ({
    status: r.status,
    job: r.body['job'] as Job | undefined,
    resource: r.body['resource'] as { arn: string; doc: { state: { status: string } } } | undefined,
  }));

/** Ends every job a test left behind (running or queued). */
async function drain(): Promise<void> {
  for (const j of await server.store.jobs.runningJobs())
    await server.store.jobs.finish(j.id, j.leaseOwner ?? '', 'failed');
  const all = labels({ instanceTypes: ['ingot.medium', 't3.medium', 'ingot.vm.small'] });
  for (let r = await claim('drainer', all); r.job; r = await claim('drainer', all))
    await call(`/jobs/${r.job.id}/result`, { workerId: 'drainer', outcome: 'failed' });
}

before(async () => {
  server = await startServer({
    home,
    host: '127.0.0.1',
    port: 0,
    worker: false,
    operations: { scheduler: false, webhooks: false },
    env: { INGOT_WORKER_TOKEN: TOKEN, INGOT_BUILD_LEASE_SECONDS: '1', INGOT_MIN_FREE_GIB: '2' },
    now: () => clock,
    onError: (e) => console.error('server error', e),
  });
});
after(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

test('the worker API refuses a missing or wrong token (401) and bad bodies (400), with the reason', async () => {
  const none = await call('/claim', { workerId: 'w', labels: labels() }, null);
  assert.equal(none.status, 401);
  assert.match(String(none.body['error']), /Bearer <worker token>/);
  const wrong = await call('/claim', { workerId: 'w', labels: labels() }, 'not-the-farm-token-at-all');
  assert.equal(wrong.status, 401);
  assert.match(String(wrong.body['error']), /not this control plane/);
  const bad = await call('/claim', { workerId: 'w', labels: { ...labels(), freeGib: 'lots' } });
  assert.equal(bad.status, 400);
  assert.match(String(bad.body['error']), /labels\.freeGib/);
  const inproc = await call('/claim', { workerId: 'inproc:1', labels: labels() });
  assert.equal(inproc.status, 400, 'a build host cannot pose as the embedded worker');
});

test('a server without a worker token has no worker API (404 saying how to turn it on)', async () => {
  const off = await startServer({
    home: mkdtempSync(join(tmpdir(), 'farm-off-')),
    host: '127.0.0.1',
    port: 0,
    worker: false,
    operations: { scheduler: false, webhooks: false },
    env: { INGOT_WORKER_TOKEN: '' },
  });
  try {
    const res = await fetch(`${off.url}/worker/v1/claim`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /INGOT_WORKER_TOKEN/);
  } finally {
    await off.close();
    rmSync(off.settings.home, { recursive: true, force: true });
  }
});

test('workers only get jobs their labels fit: instance type, architecture, free disk', async () => {
  await drain();
  const vm = await queued(['ingot.vm.small']);
  const arm = await queued(['t4g.medium']);
  const plain = await queued(['t3.medium']);
  assert.equal((await claim('small-disk', labels({ freeGib: 1 }))).status, 204, 'below INGOT_MIN_FREE_GIB');
  const first = await claim('x86');
  assert.equal(first.job?.id, plain.jobId, 'the x86 sandbox host skips the VM and the arm64 job');
  assert.equal(first.resource?.arn, plain.arn, "the image's record comes with its job (the build's first read)");
  assert.equal(first.resource?.doc.state.status, 'PENDING');
  assert.equal((await claim('x86')).status, 204);
  const withVm = await claim('vm-host', labels({ instanceTypes: ['ingot.vm.small'], kvm: true }));
  assert.equal(withVm.job?.id, vm.jobId);
  const onArm = await claim('arm-host', labels({ arch: 'aarch64' }));
  assert.equal(onArm.job?.id, arm.jobId, 't4g is a Graviton type; the default sandbox size runs it');
  const listed = await call('/workers');
  const workers = listed.body['workers'] as { id: string; labels: { arch: string }; jobs: { id: string }[] }[];
  assert.deepEqual(
    workers.find((w) => w.id === 'arm-host')?.jobs.map((j) => j.id),
    [arm.jobId],
  );
  assert.equal(workers.find((w) => w.id === 'arm-host')?.labels.arch, 'aarch64');
});

test('a lease expires by the control plane clock: heartbeat, state and result are refused with 409', async () => {
  await drain();
  const { jobId } = await queued();
  const got = await claim('slow');
  assert.equal(got.job?.id, jobId);
  assert.equal((await call(`/jobs/${jobId}/heartbeat`, { workerId: 'slow' })).status, 200);
  clock += 5_000; // past the 1 s lease, no heartbeat meanwhile
  try {
    const beat = await call(`/jobs/${jobId}/heartbeat`, { workerId: 'slow' });
    assert.equal(beat.status, 409);
    assert.match(String(beat.body['error']), /lease lost: the lease of job .* expired/);
    const result = await call(`/jobs/${jobId}/result`, { workerId: 'slow', outcome: 'succeeded' });
    assert.equal(result.status, 409);
    assert.equal((await server.store.jobs.get(jobId))?.state, 'running', 'the refused result changed nothing');
  } finally {
    clock = Date.now();
  }
});

test("a result may take the worker's next job in its answer; a job given back unstarted keeps its attempts", async () => {
  await drain();
  clock = Date.now();
  const a = await queued();
  const b = await queued();
  assert.equal((await claim('chain')).job?.id, a.jobId);
  const done = await call(`/jobs/${a.jobId}/result`, {
    workerId: 'chain',
    outcome: 'succeeded',
    next: { labels: labels() },
  });
  assert.equal(done.status, 200);
  const next = done.body['next'] as { job: Job; leaseMs: number; resource: { arn: string } };
  assert.equal(next.job.id, b.jobId, 'the next job comes with the result');
  assert.equal(next.resource.arn, b.arn);
  assert.equal((await server.store.jobs.get(b.jobId))?.leaseOwner, 'chain');
  const back = await call(`/jobs/${b.jobId}/result`, { workerId: 'chain', outcome: 'unstarted' });
  assert.deepEqual(back.body, { recorded: 'unstarted' });
  const stored = await server.store.jobs.get(b.jobId);
  assert.deepEqual([stored?.state, stored?.attempts, stored?.leaseOwner], ['queued', 0, null]);
  assert.equal((await call(`/jobs/${b.jobId}/result`, { workerId: 'chain', outcome: 'unstarted' })).status, 409);
  const again = await call(`/jobs/${a.jobId}/result`, { workerId: 'chain', outcome: 'succeeded' });
  assert.deepEqual(
    again.body,
    { recorded: 'succeeded' },
    'the same result again (its answer was lost) is answered again',
  );
  const other = await call(`/jobs/${a.jobId}/result`, { workerId: 'chain', outcome: 'failed' });
  assert.equal(other.status, 409, 'a result counts once');
  assert.equal((await claim('other')).job?.id, b.jobId);
  const last = await call(`/jobs/${b.jobId}/result`, {
    workerId: 'other',
    outcome: 'failed',
    next: { labels: labels() },
  });
  assert.deepEqual(last.body, { recorded: 'failed' }, 'nothing left to hand over');
});

test('a job handed over in an answer the worker never got is handed to it again, its attempt not counted twice', async () => {
  await drain();
  clock = Date.now();
  const a = await queued();
  const b = await queued();
  const c = await queued();
  assert.equal((await claim('lossy')).job?.id, a.jobId);
  const result = { workerId: 'lossy', outcome: 'succeeded', next: { labels: labels(), known: [] } };
  const lost = await call(`/jobs/${a.jobId}/result`, result);
  assert.equal((lost.body['next'] as { job: Job }).job.id, b.jobId, 'this answer is lost on its way');
  // The worker sends its result again: the same answer, the same job, still its first attempt.
  const retried = await call(`/jobs/${a.jobId}/result`, result);
  assert.equal(retried.status, 200);
  const handed = retried.body['next'] as { job: Job; resource: { arn: string } };
  assert.deepEqual([handed.job.id, handed.job.attempts, handed.resource.arn], [b.jobId, 1, b.arn]);
  // A claim naming the jobs it holds gets a job it does not know of again, else a new one.
  const byClaim = await call('/claim', { workerId: 'lossy', labels: labels(), waitSeconds: 0, known: [] });
  assert.deepEqual([(byClaim.body['job'] as Job).id, (byClaim.body['job'] as Job).attempts], [b.jobId, 1]);
  const fresh = await call('/claim', { workerId: 'lossy', labels: labels(), waitSeconds: 0, known: [b.jobId] });
  assert.equal((fresh.body['job'] as Job).id, c.jobId);
  // Once its build started (the image BUILDING), a job is never handed again: its lease runs out as before.
  assert.equal(
    (await call(`/jobs/${b.jobId}/state`, { workerId: 'lossy', arn: b.arn, status: 'BUILDING' })).status,
    200,
  );
  const none = await call('/claim', { workerId: 'lossy', labels: labels(), waitSeconds: 0, known: [c.jobId] });
  assert.equal(none.status, 204);
  const stored = await server.store.jobs.get(b.jobId);
  assert.deepEqual([stored?.state, stored?.attempts, stored?.leaseOwner], ['running', 1, 'lossy']);
});

test('a cut connection loses the answer of a result that carried the next job: the build host still gets that job, first attempt', async () => {
  await drain();
  clock = Date.now();
  const a = await queued();
  const b = await queued();
  // A proxy in front of the worker API that cuts the connection of the first result call once the
  // control plane has answered it (the answer, with the next job, never reaches the host).
  let cuts = 0;
  const proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${server.url}${req.url}`, {
      method: req.method ?? 'GET',
      headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    if (req.url?.endsWith('/result') && cuts++ === 0) return void req.socket.destroy();
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const notices: string[] = [];
  const source = remoteJobSource({
    client: workerApiClient(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, TOKEN),
    workerId: 'cut-host',
    labels: async () => labels(),
    waitSeconds: 0,
    onNotice: (line) => notices.push(line),
  });
  const stop = new AbortController();
  try {
    const first = await source.claim(stop.signal);
    assert.equal(first?.job.id, a.jobId);
    await source.finish(first!.job, 'succeeded', undefined, true);
    assert.equal(cuts, 2, 'the result was sent again after the cut');
    const next = await source.claim(stop.signal);
    assert.equal(next?.job.id, b.jobId, notices.join('\n'));
    assert.equal(next?.job.attempts, 1);
    const stored = await server.store.jobs.get(b.jobId);
    assert.deepEqual([stored?.state, stored?.attempts, stored?.leaseOwner], ['running', 1, 'cut-host']);
    assert.equal((await server.store.jobs.get(a.jobId))?.state, 'succeeded');
    await source.finish(next!.job, 'failed');
  } finally {
    stop.abort();
    await source.close?.();
    await new Promise((resolve) => proxy.close(resolve));
  }
});

test('a claim for several free slots takes up to that many jobs in one answer, labels respected', async () => {
  await drain();
  clock = Date.now();
  const a = await queued();
  const vm = await queued(['ingot.vm.small']); // this host offers no VM instance type
  const b = await queued();
  const c = await queued();
  const d = await queued();
  const batch = await call('/claim', { workerId: 'slots', labels: labels(), waitSeconds: 0, max: 3 });
  const also = batch.body['also'] as { job: Job; resource: { arn: string } }[];
  assert.deepEqual(
    [(batch.body['job'] as Job).id, ...also.map((t) => t.job.id)],
    [a.jobId, b.jobId, c.jobId],
    'the three oldest that fit, oldest first',
  );
  assert.deepEqual(
    also.map((t) => t.resource.arn),
    [b.arn, c.arn],
  );
  for (const id of [a.jobId, b.jobId, c.jobId])
    assert.deepEqual(
      [(await server.store.jobs.get(id))?.leaseOwner, (await server.store.jobs.get(id))?.attempts],
      ['slots', 1],
    );
  assert.equal((await server.store.jobs.get(vm.jobId))?.state, 'queued');
  assert.equal(
    (await call('/claim', { workerId: 'slots', labels: labels(), waitSeconds: 0, max: 65 })).status,
    400,
    'at most 64 at once',
  );
  // The build-host client: a claim for its free slots, the other jobs taken from the answer.
  const source = remoteJobSource({
    client: workerApiClient(server.url, TOKEN),
    workerId: 'slots-host',
    labels: async () => labels(),
    waitSeconds: 0,
    slots: 4,
    running: () => [],
  });
  const e = await queued();
  const stop = new AbortController();
  try {
    const calls = () => server.metrics.workerApiCalls.get();
    const before = (await calls()).values.find((v) => v.labels.op === 'claim' && v.labels.status === '200')?.value;
    const first = await source.claim(stop.signal);
    const second = await source.claim(stop.signal);
    assert.deepEqual([first?.job.id, second?.job.id], [d.jobId, e.jobId]);
    const after = (await calls()).values.find((v) => v.labels.op === 'claim' && v.labels.status === '200')?.value;
    assert.equal((after ?? 0) - (before ?? 0), 1, 'one claim call for both');
  } finally {
    stop.abort();
    await source.close?.();
  }
});

test('a job retried elsewhere refuses the late result of the worker that lost it', async () => {
  await drain();
  const { arn, jobId } = await queued();
  assert.equal((await claim('lost')).job?.id, jobId);
  await sleep(1_200); // the 1 s lease runs out for real: the store gives the job to the next claim
  clock = Date.now();
  const retry = await claim('rescuer');
  assert.equal(retry.job?.id, jobId);
  assert.equal(retry.job?.attempts, 2, 'the second (and last) attempt');
  const late = await call(`/jobs/${jobId}/result`, { workerId: 'lost', outcome: 'succeeded' });
  assert.equal(late.status, 409);
  assert.match(String(late.body['error']), /lease lost: job .* is held by rescuer now, not lost/);
  const lateState = await call(`/jobs/${jobId}/state`, { workerId: 'lost', arn, status: 'BUILDING' });
  assert.equal(lateState.status, 409, 'nor may it write the image');
  assert.equal((await call(`/jobs/${jobId}/state`, { workerId: 'rescuer', arn, status: 'BUILDING' })).status, 200);
  assert.equal((await call(`/jobs/${jobId}/result`, { workerId: 'rescuer', outcome: 'failed' })).status, 200);
  assert.equal((await server.store.jobs.get(jobId))?.state, 'failed');
});

test('cancellation is the heartbeat answer; the cancelled job may still report its end', async () => {
  await drain();
  const { jobId } = await queued();
  assert.equal((await claim('w-cancel')).job?.id, jobId);
  assert.deepEqual((await call(`/jobs/${jobId}/heartbeat`, { workerId: 'w-cancel' })).body, {
    cancel: false,
    leaseMs: 1000,
  });
  await server.store.jobs.cancel(jobId, 'cancelled by the user');
  assert.equal((await call(`/jobs/${jobId}/heartbeat`, { workerId: 'w-cancel' })).body['cancel'], true);
  assert.equal((await call(`/jobs/${jobId}/result`, { workerId: 'w-cancel', outcome: 'cancelled' })).status, 200);
});

test("a job reads only its account's resources, writes only its own image, and its log lines reach the build log", async () => {
  await drain();
  const other = await queued(undefined, '444455556666');
  const { arn, jobId } = await queued();
  const got = await claim('reader');
  assert.equal(got.job?.id, other.jobId, 'oldest first');
  await call(`/jobs/${other.jobId}/result`, { workerId: 'reader', outcome: 'failed' });
  assert.equal((await claim('reader')).job?.id, jobId);
  const own = await call(`/jobs/${jobId}/read`, { workerId: 'reader', op: 'get', arn });
  assert.equal((own.body['value'] as { arn: string }).arn, arn);
  const foreign = await call(`/jobs/${jobId}/read`, { workerId: 'reader', op: 'get', arn: other.arn });
  assert.equal(foreign.body['value'], null, "another account's image reads as absent");
  const write = await call(`/jobs/${jobId}/state`, { workerId: 'reader', arn: other.arn, status: 'BUILDING' });
  assert.equal(write.status, 400);
  const illegal = await call(`/jobs/${jobId}/state`, { workerId: 'reader', arn, status: 'AVAILABLE' });
  assert.equal(illegal.status, 409, 'the image state table still applies');
  const log = await call(`/jobs/${jobId}/log`, { workerId: 'reader', lines: ['2026-01-01T00:00:00.000Z hello'] });
  assert.equal(log.status, 200);
  assert.match(await buildLogText(server.store, arn), /2026-01-01T00:00:00\.000Z hello/);
  await call(`/jobs/${jobId}/result`, { workerId: 'reader', outcome: 'failed' });
});

test("a build host sends its image's documents: stored for the job's image and account, by name, size-capped", async () => {
  await drain();
  const { arn, jobId } = await queued();
  assert.equal((await claim('documenter')).job?.id, jobId);
  const spdx = JSON.stringify({ packages: [{ SPDXID: 'SPDXRef-Package-deb-bash', name: 'bash', versionInfo: '5.2' }] });
  const doc = (over: Record<string, unknown>, token: string | null = TOKEN) =>
    call(`/jobs/${jobId}/document`, { workerId: 'documenter', name: 'sbom.spdx.json', body: spdx, ...over }, token);
  assert.equal((await doc({}, null)).status, 401);
  const stored = await doc({});
  assert.equal(stored.status, 200, JSON.stringify(stored.body));
  assert.equal(await server.store.imageDocuments.get(arn, 'sbom.spdx.json'), spdx);
  assert.equal(
    await readImageDocument(server.store, home, arn, 'sbom.spdx.json'),
    spdx,
    'what ListImagePackages reads',
  );
  const badName = await doc({ name: '../../etc/passwd' });
  assert.equal(badName.status, 400);
  assert.match(String(badName.body['error']), /^name: /);
  const big = await doc({ body: 'x'.repeat(IMAGE_DOCUMENT_MAX_BYTES + 1) });
  assert.equal(big.status, 400);
  assert.match(String(big.body['error']), /at most \d+ bytes/);
  const stranger = await call(`/jobs/${jobId}/document`, { workerId: 'stranger', name: 'manifest.json', body: '{}' });
  assert.equal(stranger.status, 409, 'only the holder of the lease');
  assert.equal(await server.store.imageDocuments.get(arn, 'manifest.json'), undefined);
  await call(`/jobs/${jobId}/result`, { workerId: 'documenter', outcome: 'failed' });
  const late = await doc({ name: 'manifest.json', body: '{}' });
  assert.equal(late.status, 409, 'nor after the job ended');
});

test('GET /metrics: queue depth by state, API requests, worker-API calls, leases and heartbeats', async () => {
  await drain();
  await queued();
  await fetch(`${server.url}/`, { method: 'GET' }); // an unsigned API request: refused, and counted
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.match(text, /^ingot_queue_jobs\{state="queued"\} 1$/m);
  assert.match(text, /^ingot_queue_jobs\{state="failed"\} \d+$/m);
  assert.match(text, /^ingot_api_requests_total\{operation="unknown",status="4\d\d"\} [1-9]/m);
  assert.match(text, /^ingot_worker_api_requests_total\{op="claim",status="200"\} [1-9]/m);
  assert.match(text, /^ingot_worker_api_requests_total\{op="claim",status="401"\} [1-9]/m);
  assert.match(text, /^ingot_worker_leases_total\{event="granted"\} [1-9]/m);
  assert.match(text, /^ingot_worker_leases_total\{event="refused"\} [1-9]/m);
  assert.match(text, /^ingot_worker_heartbeats_total\{answer="ok"\} [1-9]/m);
  assert.match(text, /^ingot_worker_last_seen_seconds\{worker="arm-host"\} \d/m);
  assert.match(text, /^ingot_process_cpu_seconds_total \d/m);
});

test('ingot workers lists the build hosts with their labels and running jobs (the worker API and the database agree)', async () => {
  await drain();
  const { arn, jobId } = await queued();
  assert.equal((await claim('lister')).job?.id, jobId);
  const viaApi = await runIngot(['workers', '--control-plane', server.url], { INGOT_WORKER_TOKEN: TOKEN }, 60_000);
  assert.equal(viaApi.code, 0, viaApi.stderr);
  assert.match(viaApi.stdout, /^WORKER\tARCH\tKVM/);
  assert.match(
    viaApi.stdout,
    new RegExp(`^lister\tx86_64\tno\t50\t\\d+s ago\t${arn.replace(/[/.]/g, '\\$&')} \\(job ${jobId}\\)`, 'm'),
  );
  const local = await runIngot(['workers', '--json'], { INGOT_HOME: home }, 60_000);
  assert.equal(local.code, 0, local.stderr);
  const lister = local.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .find((w) => w.id === 'lister');
  assert.deepEqual(lister.jobs, [{ id: jobId, resourceArn: arn }]);
  const refused = await runIngot(
    ['workers', '--control-plane', server.url],
    { INGOT_WORKER_TOKEN: 'wrong-token-0123456789' },
    60_000,
  );
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /not this control plane/);
  assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
});

test('each build host has its own token: created once by `ingot workers token create`, acting only as that host, revocable; the shared token still works', async () => {
  await drain();
  const created = await runIngot(['workers', 'token', 'create', 'host-7'], { INGOT_HOME: home }, 60_000);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^host-7\.[A-Za-z0-9_-]{43}$/);
  assert.match(created.stderr, /shown only this once/);
  const stored = await server.store.workerTokens.get('host-7');
  assert.ok(stored && !JSON.stringify(stored).includes(token.split('.')[1]!), 'only a hash is stored');
  const again = await runIngot(['workers', 'token', 'create', 'host-7'], { INGOT_HOME: home }, 60_000);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /already has a token: revoke it first/);
  const { jobId } = await queued();
  const asOther = await call('/claim', { workerId: 'host-8', labels: labels(), waitSeconds: 0 }, token);
  assert.equal(asOther.status, 403);
  assert.match(String(asOther.body['error']), /acts only as worker host-7/);
  const own = await call('/claim', { workerId: 'host-7', labels: labels(), waitSeconds: 0 }, token);
  assert.equal(own.status, 200, JSON.stringify(own.body));
  assert.equal((own.body['job'] as Job).id, jobId);
  const forged = `host-7.${'A'.repeat(43)}`;
  assert.equal((await call(`/jobs/${jobId}/heartbeat`, { workerId: 'host-7' }, forged)).status, 401);
  assert.equal((await call(`/jobs/${jobId}/heartbeat`, { workerId: 'host-7' }, token)).status, 200);
  assert.equal(
    (await call(`/jobs/${jobId}/heartbeat`, { workerId: 'host-7' }, TOKEN)).status,
    200,
    'the shared token acts as any worker',
  );
  const listed = await runIngot(['workers', 'token', 'list'], { INGOT_HOME: home }, 60_000);
  assert.match(listed.stdout, /^host-7\t\d{4}-/m);
  const revoked = await runIngot(['workers', 'token', 'revoke', 'host-7'], { INGOT_HOME: home }, 60_000);
  assert.equal(revoked.code, 0, revoked.stderr);
  const after = await call(`/jobs/${jobId}/heartbeat`, { workerId: 'host-7' }, token);
  assert.equal(after.status, 401);
  assert.match(String(after.body['error']), /revoked/);
  const unknown = await runIngot(['workers', 'token', 'revoke', 'host-7'], { INGOT_HOME: home }, 60_000);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /has no token/);
  const bad = await runIngot(['workers', 'token', 'create', 'no/slash'], { INGOT_HOME: home }, 60_000);
  assert.match(bad.stderr, /NAME must be/);
  assert.doesNotMatch(bad.stderr + unknown.stderr, /\n\s+at /, 'no stack trace');
  await call(`/jobs/${jobId}/result`, { workerId: 'host-7', outcome: 'failed' });
});
