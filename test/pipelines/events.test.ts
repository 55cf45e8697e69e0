/**
 * @module Webhook deliveries are durable: a state change recorded while the receiver fails is
 * retried with backoff, survives a server restart, and arrives once with a valid signature.
 * Images whose infrastructure configuration names no topic send nothing.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signBody } from '../../src/events/sns-message.ts';
import { BASE, createComponent, ct, startPipelineServer, TEST_ACCOUNT, type PipelineServer } from './helpers.ts';
import { startWebhookReceiver, type WebhookReceiver } from './services.ts';

const TOPIC = `arn:aws:sns:us-east-1:${TEST_ACCOUNT}:durable`;
let t: PipelineServer;
let hook: WebhookReceiver;
before(async () => {
  hook = await startWebhookReceiver();
  t = await startPipelineServer();
  t.writeConfig({ webhooks: { [TOPIC]: [{ url: hook.url, secret: 'k1' }] } });
});
after(async () => {
  await t.stop();
  await hook.stop();
});

test('a delivery that fails is retried with backoff, across a restart, and arrives signed', async () => {
  const c = t.client;
  const comp = await createComponent(c, 'events', '1.0.0', ['true']);
  const recipe = (
    await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'events',
        semanticVersion: '1.0.0',
        parentImage: BASE,
        components: [{ componentArn: comp }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  const withTopic = (
    await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'ev-topic',
        instanceProfileName: 'ingot',
        snsTopicArn: TOPIC,
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
  const silent = (
    await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'ev-silent',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;

  hook.failNext(2);
  const arn = (
    await c.send(
      new ib.CreateImageCommand({
        imageRecipeArn: recipe,
        infrastructureConfigurationArn: withTopic,
        clientToken: ct(),
      }),
    )
  ).imageBuildVersionArn!;
  await c.send(
    new ib.CreateImageCommand({ imageRecipeArn: recipe, infrastructureConfigurationArn: silent, clientToken: ct() }),
  );
  for (let i = 0; i < 50; i++) {
    const [d] = await t.server.store.events.deliveries();
    if (d && d.attempts >= 1 && d.lastError) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const [first] = await t.server.store.events.deliveries();
  assert.match(first!.lastError ?? '', /HTTP 500/);
  await t.restart(); // the pending delivery is in the store
  for (let i = 0; i < 100 && !hook.received.length; i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(hook.received.length, 1, 'delivered exactly once');
  const [r] = hook.received;
  assert.equal(r!.headers['x-ingot-signature'], signBody('k1', r!.body));
  const image = JSON.parse((JSON.parse(r!.body) as { Message: string }).Message) as ib.Image;
  assert.equal(image.arn, arn);
  assert.equal(image.state?.status, 'PENDING');
  const deliveries = await t.server.store.events.deliveries();
  assert.equal(deliveries.length, 1, 'the image without a topic sent nothing');
  assert.equal(deliveries[0]!.attempts, 3);
  assert.ok(deliveries[0]!.deliveredAt);
});
