/**
 * @module CancelImageCreation of a pipeline's image, through the real SDK against a real server:
 * the pipeline records the run as CANCELLED (lastRunStatus, dateLastRun kept), whether the image
 * was still PENDING in the queue (a server without a worker) or BUILDING (a real worker); a
 * cancelled scheduled build does not count as a failure.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BASE,
  createComponent,
  ct,
  pipelineImages,
  skipUnlessRoot,
  startPipelineServer,
  waitForImage,
  type PipelineServer,
} from './helpers.ts';

async function pipelineFor(
  c: ib.ImagebuilderClient,
  name: string,
  commands: string[],
  schedule?: ib.Schedule,
): Promise<string> {
  const component = await createComponent(c, `${name}-comp`, '1.0.0', commands);
  const recipe = (
    await c.send(
      new ib.CreateImageRecipeCommand({
        name: `${name}-recipe`,
        semanticVersion: '1.0.0',
        parentImage: BASE,
        components: [{ componentArn: component }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  const infra = (
    await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: `${name}-infra`,
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
  return (
    await c.send(
      new ib.CreateImagePipelineCommand({
        name,
        imageRecipeArn: recipe,
        infrastructureConfigurationArn: infra,
        ...(schedule ? { schedule } : {}),
        clientToken: ct(),
      }),
    )
  ).imagePipelineArn!;
}

const getPipeline = async (c: ib.ImagebuilderClient, arn: string) =>
  (await c.send(new ib.GetImagePipelineCommand({ imagePipelineArn: arn }))).imagePipeline!;

describe('a server without a worker (images stay PENDING)', () => {
  let t: PipelineServer;
  before(async () => {
    t = await startPipelineServer({ worker: false });
  });
  after(() => t.stop());

  test('cancelling a PENDING pipeline image records CANCELLED on the pipeline', async () => {
    const c = t.client;
    const arn = await pipelineFor(c, 'cancel-pending', ['echo hi']);
    const image = (
      await c.send(new ib.StartImagePipelineExecutionCommand({ imagePipelineArn: arn, clientToken: ct() }))
    ).imageBuildVersionArn!;
    const started = await getPipeline(c, arn);
    assert.ok(started.dateLastRun, 'StartImagePipelineExecution sets dateLastRun');
    assert.equal((await waitForImage(c, image, () => true)).state?.status, 'PENDING');

    await c.send(new ib.CancelImageCreationCommand({ imageBuildVersionArn: image, clientToken: ct() }));
    const p = await getPipeline(c, arn);
    assert.equal(p.lastRunStatus, 'CANCELLED');
    assert.equal(p.dateLastRun, started.dateLastRun);
    assert.equal(p.consecutiveFailures ?? 0, 0);
    const listed = await pipelineImages(c, arn);
    assert.deepEqual(
      listed.map((i) => [i.arn, i.state?.status]),
      [[image, 'CANCELLED']],
    );
    // A second cancel is refused and changes nothing.
    await assert.rejects(
      c.send(new ib.CancelImageCreationCommand({ imageBuildVersionArn: image, clientToken: ct() })),
      { name: 'ResourceInUseException' },
    );
    assert.equal((await getPipeline(c, arn)).lastRunStatus, 'CANCELLED');
  });

  test('a cancelled scheduled build neither counts as a failure nor resets the count', async () => {
    const c = t.client;
    const arn = await pipelineFor(c, 'cancel-scheduled', ['echo hi'], {
      scheduleExpression: 'cron(0/10 * * * ? *)',
      pipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
      autoDisablePolicy: { failureCount: 2 },
    });
    const scheduler = t.server.operations.scheduler!;
    await scheduler.tick();
    t.clock.advance(10 * 60_000);
    assert.equal((await scheduler.tick()).get(arn), 'fired');
    const [image] = await pipelineImages(c, arn);
    assert.equal(image?.state?.status, 'PENDING');
    assert.equal(image?.buildType, 'SCHEDULED');
    await c.send(new ib.CancelImageCreationCommand({ imageBuildVersionArn: image!.arn!, clientToken: ct() }));
    const p = await getPipeline(c, arn);
    assert.equal(p.lastRunStatus, 'CANCELLED');
    assert.equal(p.status, 'ENABLED');
    assert.equal(p.consecutiveFailures ?? 0, 0);
    assert.ok(p.dateLastRun);
  });
});

describe('a server with a worker', () => {
  let t: PipelineServer;
  before(async () => {
    if (!skipUnlessRoot) t = await startPipelineServer({ worker: true });
  });
  after(() => t?.stop());

  test('cancelling a BUILDING pipeline image records CANCELLED on the pipeline', { skip: skipUnlessRoot }, async () => {
    const c = t.client;
    const arn = await pipelineFor(c, 'cancel-building', ['sleep 317']);
    const image = (
      await c.send(new ib.StartImagePipelineExecutionCommand({ imagePipelineArn: arn, clientToken: ct() }))
    ).imageBuildVersionArn!;
    assert.equal(
      (await waitForImage(c, image, (s) => s === 'BUILDING' || ['AVAILABLE', 'FAILED', 'CANCELLED'].includes(s))).state
        ?.status,
      'BUILDING',
    );
    await c.send(new ib.CancelImageCreationCommand({ imageBuildVersionArn: image, clientToken: ct() }));
    assert.equal((await waitForImage(c, image, undefined, 60_000)).state?.status, 'CANCELLED');
    // The worker's own end of the build (aborted) must not overwrite the pipeline's record.
    await new Promise((r) => setTimeout(r, 1500));
    const p = await getPipeline(c, arn);
    assert.equal(p.lastRunStatus, 'CANCELLED');
    assert.ok(p.dateLastRun);
    assert.deepEqual(
      (await pipelineImages(c, arn)).map((i) => i.state?.status),
      ['CANCELLED'],
    );
  });
});
