/**
 * @module One pipeline on a real one-minute schedule (cron(* * * * ? *)) with the server's own
 * scheduler loop and the wall clock: an image appears at the next minute, a SCHEDULED build.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { BASE, createComponent, ct, pipelineImages, TEST_ACCOUNT, TEST_KEY } from './helpers.ts';

let server: RunningServer;
let home: string;
before(async () => {
  home = mkdtempSync(join(tmpdir(), 'ingot-minute-'));
  const env = {
    INGOT_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
    INGOT_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
    INGOT_ACCOUNT_ID: TEST_ACCOUNT,
  };
  server = await startServer({
    home,
    host: '127.0.0.1',
    port: 0,
    env,
    worker: false,
    operations: { scheduler: { intervalMs: 1000 }, webhooks: false },
  });
});
after(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

test('a one-minute schedule fires at the next minute on the wall clock', { timeout: 150_000 }, async () => {
  const c = new ib.ImagebuilderClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: TEST_KEY,
    maxAttempts: 1,
  });
  const comp = await createComponent(c, 'minute', '1.0.0', ['true']);
  const recipe = (
    await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'minute',
        semanticVersion: '1.0.0',
        parentImage: BASE,
        components: [{ componentArn: comp }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  const infra = (
    await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'minute',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
  const arn = (
    await c.send(
      new ib.CreateImagePipelineCommand({
        name: 'minute',
        imageRecipeArn: recipe,
        infrastructureConfigurationArn: infra,
        clientToken: ct(),
        schedule: { scheduleExpression: 'cron(* * * * ? *)', pipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY' },
      }),
    )
  ).imagePipelineArn!;
  const created = Date.now();
  let images: ib.ImageSummary[] = [];
  while (!images.length && Date.now() - created < 130_000) {
    await new Promise((r) => setTimeout(r, 1000));
    images = await pipelineImages(c, arn);
  }
  assert.equal(images.length, 1, 'one image within two minutes');
  assert.equal(images[0]!.buildType, 'SCHEDULED');
  const firedAt = Date.parse(images[0]!.dateCreated!);
  assert.ok(firedAt % 60_000 < 5_000, `fired within seconds of a whole minute (${new Date(firedAt).toISOString()})`);
  const p = (await c.send(new ib.GetImagePipelineCommand({ imagePipelineArn: arn }))).imagePipeline!;
  assert.ok(Date.parse(p.dateNextRun!) > firedAt);
});
