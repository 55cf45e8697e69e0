/**
 * @module The pipeline scheduler on an injected clock, through the real API: EXPRESSION_MATCH_ONLY
 * builds on every cron match; the dependency condition only when a component (or the base)
 * changed; missed matches give one catch-up run, also across a restart; DISABLED pipelines never
 * fire; autoDisablePolicy disables after N failed scheduled builds; rate(...) expressions fire every period.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setState } from '../../src/worker/image-state.ts';
import { BASE, createComponent, ct, pipelineImages, startPipelineServer, type PipelineServer } from './helpers.ts';

let t: PipelineServer;
let infraArn: string;
const MINUTE = 60_000;

before(async () => {
  t = await startPipelineServer();
  infraArn = (
    await t.client.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'sched-infra',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
});
after(() => t.stop());

async function recipe(name: string, componentArn: string): Promise<string> {
  const r = await t.client.send(
    new ib.CreateImageRecipeCommand({
      name,
      semanticVersion: '1.0.0',
      parentImage: BASE,
      components: [{ componentArn }],
      clientToken: ct(),
    }),
  );
  return r.imageRecipeArn!;
}

async function pipeline(
  name: string,
  recipeArn: string,
  schedule: ib.Schedule,
  status: 'ENABLED' | 'DISABLED' = 'ENABLED',
): Promise<string> {
  const r = await t.client.send(
    new ib.CreateImagePipelineCommand({
      name,
      imageRecipeArn: recipeArn,
      infrastructureConfigurationArn: infraArn,
      schedule,
      status,
      clientToken: ct(),
    }),
  );
  return r.imagePipelineArn!;
}

const tick = async (ms: number) => {
  t.clock.advance(ms);
  return t.server.operations.scheduler!.tick();
};
const count = async (arn: string) => (await pipelineImages(t.client, arn)).length;
const getPipeline = async (arn: string) =>
  (await t.client.send(new ib.GetImagePipelineCommand({ imagePipelineArn: arn }))).imagePipeline!;

test('cron matches fire pipelines as their start condition says, once per match, and survive a restart', async () => {
  await createComponent(t.client, 'sched-comp', '1.0.0', ['echo one']);
  const wildcard = 'arn:aws:imagebuilder:us-east-1:123456789012:component/sched-comp/x.x.x';
  const everyMinute = await pipeline('every-minute', await recipe('sched-a', wildcard), {
    scheduleExpression: 'cron(* * * * ? *)',
    pipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
  });
  const onUpdates = await pipeline('on-updates', await recipe('sched-b', wildcard), {
    scheduleExpression: 'cron(0/5 * * * ? *)',
  });
  const disabled = await pipeline(
    'disabled',
    await recipe('sched-c', wildcard),
    { scheduleExpression: 'cron(* * * * ? *)', pipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY' },
    'DISABLED',
  );

  let r = await tick(0); // 10:00:30: first sight, next runs computed
  assert.equal(r.get(everyMinute), 'initialised');
  assert.equal((await getPipeline(everyMinute)).dateNextRun, '2026-11-25T10:01:00.000Z');
  assert.equal((await getPipeline(onUpdates)).dateNextRun, '2026-11-25T10:05:00.000Z');

  r = await tick(MINUTE); // 10:01:30
  assert.equal(r.get(everyMinute), 'fired');
  assert.equal(r.get(onUpdates), 'not-due');
  assert.equal(r.get(disabled), 'disabled');
  r = await tick(MINUTE); // 10:02:30
  assert.equal(r.get(everyMinute), 'fired');
  assert.equal(await count(everyMinute), 2);
  const [image] = await pipelineImages(t.client, everyMinute);
  assert.equal(image!.buildType, 'SCHEDULED');

  r = await tick(5 * MINUTE); // 10:07:30: three matches of every-minute were missed: one catch-up run
  assert.equal(r.get(everyMinute), 'fired');
  assert.equal(r.get(onUpdates), 'fired'); // first run: no earlier build to compare with
  assert.equal(await count(everyMinute), 3);
  r = await tick(5 * MINUTE); // 10:12:30: nothing changed
  assert.equal(r.get(onUpdates), 'unchanged');
  assert.equal(await count(onUpdates), 1);

  await createComponent(t.client, 'sched-comp', '1.0.1', ['echo two']); // a newer component matching x.x.x
  r = await tick(5 * MINUTE); // 10:17:30
  assert.equal(r.get(onUpdates), 'fired');
  assert.equal(await count(onUpdates), 2);
  assert.equal(await count(disabled), 0);

  // Ingot is down for an hour: on start, one catch-up run per pipeline, not sixty.
  const before = await count(everyMinute);
  await t.restart();
  t.clock.advance(60 * MINUTE);
  r = await t.server.operations.scheduler!.tick();
  assert.equal(r.get(everyMinute), 'fired');
  assert.equal(r.get(onUpdates), 'unchanged');
  r = await t.server.operations.scheduler!.tick(); // same instant again: nothing more
  assert.equal(r.get(everyMinute), 'not-due');
  assert.equal(await count(everyMinute), before + 1);
  const p = await getPipeline(everyMinute);
  assert.equal(p.dateNextRun, new Date(Math.ceil((t.clock.now() + 1) / MINUTE) * MINUTE).toISOString());
  assert.ok(p.dateLastRun);
  assert.equal(await count(disabled), 0);
});

test('autoDisablePolicy disables a pipeline after N consecutive failed scheduled builds', async () => {
  const comp = await createComponent(t.client, 'sched-fail', '1.0.0', ['exit 1']);
  const arn = await pipeline('flaky', await recipe('sched-fail', comp), {
    scheduleExpression: 'cron(* * * * ? *)',
    pipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
    autoDisablePolicy: { failureCount: 2 },
  });
  await tick(0);
  for (let i = 1; i <= 2; i++) {
    const r = await tick(MINUTE);
    assert.equal(r.get(arn), 'fired');
    // The worker's outcome path (no worker runs here: mark the build FAILED as a worker would).
    const [newest] = (await pipelineImages(t.client, arn)).filter((s) => s.state?.status === 'PENDING');
    await setState(t.server.store, newest!.arn!, 'FAILED', 'component failed');
    const p = await getPipeline(arn);
    assert.equal(p.consecutiveFailures, i);
    assert.equal(p.lastRunStatus, 'FAILED');
  }
  assert.equal((await getPipeline(arn)).status, 'DISABLED');
  assert.equal((await tick(MINUTE)).get(arn), 'disabled');
  assert.equal(await count(arn), 2);
});

test('schedules run in their time zone; bad schedules are refused at create time', async () => {
  const comp = await createComponent(t.client, 'sched-bad', '1.0.0', ['true']);
  const recipeArn = await recipe('sched-bad', comp);
  const berlin = await pipeline('berlin', recipeArn, {
    scheduleExpression: 'cron(0 8 * * ? *)',
    timezone: 'Europe/Berlin',
  });
  await tick(0);
  const next = Date.parse((await getPipeline(berlin)).dateNextRun!);
  assert.equal(new Date(next).toISOString().slice(11), '07:00:00.000Z'); // 08:00 in Berlin is 07:00 UTC in winter
  assert.ok(next > t.clock.now() && next - t.clock.now() <= 86_400_000);
  await assert.rejects(
    pipeline('bad-tz', recipeArn, { scheduleExpression: 'cron(0 0 * * ? *)', timezone: 'Moon/Base' }),
    /IANA/,
  );
  await assert.rejects(pipeline('bad-cron', recipeArn, { scheduleExpression: 'cron(0 0 * *)' }), /6/);
});

test('rate(7 days) (as the AWS CDK emits it) is accepted and fires a week after the schedule was set', async () => {
  const comp = await createComponent(t.client, 'sched-rate', '1.0.0', ['true']);
  const arn = await pipeline('weekly-rate', await recipe('sched-rate', comp), {
    scheduleExpression: 'rate(7 days)',
    pipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
  });
  await tick(0);
  const created = await getPipeline(arn);
  const next = Date.parse(created.dateNextRun!);
  assert.equal(next, Date.parse(String(created.dateCreated)) + 7 * 86_400_000);
  assert.equal((await tick(next - t.clock.now() - MINUTE)).get(arn), 'not-due');
  assert.equal((await tick(2 * MINUTE)).get(arn), 'fired');
  assert.equal((await getPipeline(arn)).dateNextRun, new Date(next + 7 * 86_400_000).toISOString());
  await assert.rejects(
    pipeline('bad-rate', await recipe('sched-rate2', comp), { scheduleExpression: 'rate(2 weeks)' }),
    /rate\(N minutes\|hours\|days\)/,
  );
});
