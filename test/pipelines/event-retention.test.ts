/**
 * @module Retention of image state-change events: events older than the retention whose webhook
 * deliveries are all finished (delivered, or out of attempts) are deleted with their deliveries;
 * events still being retried or not yet fanned out are kept. Against a real SQLite store with an
 * injected clock, and through a real server whose pruning loop runs on its own.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { deliverDue, fanOut, MAX_DELIVERY_ATTEMPTS } from '../../src/events/dispatcher.ts';
import { DEFAULT_EVENT_RETENTION_DAYS, eventRetentionDays, pruneDeliveredEvents } from '../../src/events/retention.ts';
import type { IngotConfig } from '../../src/config/ingot-config.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import type { Store } from '../../src/store/types.ts';
import { BASE, createComponent, ct, startPipelineServer, TEST_ACCOUNT } from './helpers.ts';
import { startWebhookReceiver } from './services.ts';

const DAY = 86_400_000;
const OK_TOPIC = `arn:aws:sns:us-east-1:${TEST_ACCOUNT}:retention-ok`;
const BAD_TOPIC = `arn:aws:sns:us-east-1:${TEST_ACCOUNT}:retention-bad`;
const dir = mkdtempSync(join(tmpdir(), 'ingot-retention-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function insertImage(store: Store, name: string, topic?: string): Promise<string> {
  const arn = `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:image/${name}/1.0.0/1`;
  const now = new Date().toISOString();
  const doc = {
    arn,
    name,
    version: '1.0.0',
    state: { status: 'PENDING' },
    infrastructureConfiguration: topic ? { snsTopicArn: topic } : {},
  };
  await store.resources.insert({
    arn,
    type: 'image',
    account: TEST_ACCOUNT,
    region: 'us-east-1',
    name,
    version: '1.0.0',
    build: 1,
    doc,
    createdAt: now,
    updatedAt: now,
  });
  return arn;
}

const eventArns = async (store: Store) =>
  (await store.events.imageEvents(0, 1000)).map((e) => e.imageArn.split('/')[1]);
const deliveryUrls = async (store: Store) =>
  (await store.events.deliveries()).map(
    (d) => `${d.eventSeq}:${d.deliveredAt ? 'delivered' : `attempts=${d.attempts}`}`,
  );

test('INGOT_EVENT_RETENTION_DAYS: default 30, 0 keeps everything, nonsense falls back to the default', () => {
  assert.equal(DEFAULT_EVENT_RETENTION_DAYS, 30);
  assert.equal(eventRetentionDays({}), 30);
  assert.equal(eventRetentionDays({ INGOT_EVENT_RETENTION_DAYS: '7' }), 7);
  assert.equal(eventRetentionDays({ INGOT_EVENT_RETENTION_DAYS: '0.5' }), 0.5);
  assert.equal(eventRetentionDays({ INGOT_EVENT_RETENTION_DAYS: '0' }), undefined);
  assert.equal(eventRetentionDays({ INGOT_EVENT_RETENTION_DAYS: 'soon' }), 30);
  assert.equal(eventRetentionDays({ INGOT_EVENT_RETENTION_DAYS: '-3' }), 30);
});

test('delivered events older than the retention are deleted; retried and not yet fanned-out ones are kept', async () => {
  const ok = await startWebhookReceiver();
  const bad = await startWebhookReceiver();
  const store = openSqliteStore(join(dir, 'a.db'));
  try {
    bad.failNext(1_000_000);
    const config: IngotConfig = {
      webhooks: { [OK_TOPIC]: [{ url: ok.url, secret: 'k' }], [BAD_TOPIC]: [{ url: bad.url, secret: 'k' }] },
    };
    const t0 = Date.now();
    await insertImage(store, 'delivered', OK_TOPIC);
    await insertImage(store, 'retrying', BAD_TOPIC);
    await insertImage(store, 'no-topic');
    assert.equal(await fanOut(store, config, t0), 2);
    assert.equal(await deliverDue(store, config, t0), 1);
    await insertImage(store, 'not-fanned-out', OK_TOPIC);
    assert.deepEqual(await eventArns(store), ['delivered', 'retrying', 'no-topic', 'not-fanned-out']);

    // Younger than the retention: nothing goes.
    assert.deepEqual(await pruneDeliveredEvents(store, { now: t0 + 29 * DAY, retentionDays: 30 }), {
      events: 0,
      deliveries: 0,
    });
    assert.equal((await store.events.imageEvents(0, 1000)).length, 4);

    // Older: the delivered event and the one without webhooks go, with the delivery.
    assert.deepEqual(await pruneDeliveredEvents(store, { now: t0 + 31 * DAY, retentionDays: 30 }), {
      events: 2,
      deliveries: 1,
    });
    assert.deepEqual(await eventArns(store), ['retrying', 'not-fanned-out']);
    const [retrying] = await store.events.deliveries();
    assert.equal(retrying?.deliveredAt, null);
    assert.equal(retrying?.attempts, 1);

    // Once the failing delivery has used every attempt it is no longer retried, and may go.
    for (let i = 1; i < MAX_DELIVERY_ATTEMPTS; i++) await deliverDue(store, config, t0 + i * DAY);
    assert.deepEqual(await deliveryUrls(store), [`${retrying!.eventSeq}:attempts=${MAX_DELIVERY_ATTEMPTS}`]);
    assert.deepEqual(await pruneDeliveredEvents(store, { now: t0 + 31 * DAY, retentionDays: 30 }), {
      events: 1,
      deliveries: 1,
    });
    assert.deepEqual(await eventArns(store), ['not-fanned-out']);
    assert.deepEqual(await store.events.deliveries(), []);

    // The cursor and sequence numbers carry on: the kept event is fanned out and delivered, later ones get higher numbers.
    const before = ok.received.length;
    assert.equal(await fanOut(store, config, t0), 1);
    assert.equal(await deliverDue(store, config, t0), 1);
    assert.equal(ok.received.length, before + 1);
    await insertImage(store, 'later', OK_TOPIC);
    const seqs = (await store.events.imageEvents(0, 1000)).map((e) => e.seq);
    assert.ok(seqs[1]! > seqs[0]!);
    assert.ok(seqs[0]! > retrying!.eventSeq);
    assert.deepEqual(await pruneDeliveredEvents(store, { now: t0 + 31 * DAY, retentionDays: 30 }), {
      events: 1,
      deliveries: 1,
    });
    assert.deepEqual(await eventArns(store), ['later']);
  } finally {
    await store.close();
    await ok.stop();
    await bad.stop();
  }
});

test('pruning goes in batches', async () => {
  const store = openSqliteStore(join(dir, 'b.db'));
  try {
    const t0 = Date.now();
    for (let i = 0; i < 25; i++) await insertImage(store, `batch-${i}`);
    await fanOut(store, {}, t0);
    assert.deepEqual(await pruneDeliveredEvents(store, { now: t0 + 31 * DAY, retentionDays: 30, batch: 10 }), {
      events: 25,
      deliveries: 0,
    });
    assert.deepEqual(await store.events.imageEvents(0, 1000), []);
  } finally {
    await store.close();
  }
});

test("the server's pruning loop deletes delivered events once they are older than INGOT_EVENT_RETENTION_DAYS", async () => {
  const hook = await startWebhookReceiver();
  // 0.00003 days = 2.6 s: the loop runs about that often.
  const t = await startPipelineServer({ env: { INGOT_EVENT_RETENTION_DAYS: '0.00003' } });
  try {
    t.writeConfig({ webhooks: { [OK_TOPIC]: [{ url: hook.url, secret: 'k' }] } });
    const c = t.client;
    const comp = await createComponent(c, 'retention', '1.0.0', ['true']);
    const recipe = (
      await c.send(
        new ib.CreateImageRecipeCommand({
          name: 'retention',
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
          name: 'retention',
          instanceProfileName: 'ingot',
          snsTopicArn: OK_TOPIC,
          clientToken: ct(),
        }),
      )
    ).infrastructureConfigurationArn!;
    const arn = (
      await c.send(
        new ib.CreateImageCommand({ imageRecipeArn: recipe, infrastructureConfigurationArn: infra, clientToken: ct() }),
      )
    ).imageBuildVersionArn!;
    for (let i = 0; i < 100 && !hook.received.length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(hook.received.length, 1);
    const events = await t.server.store.events.imageEvents(0, 1000);
    assert.ok(
      events.some((e) => e.imageArn === arn),
      'the event is there right after delivery',
    );
    for (let i = 0; i < 150 && (await t.server.store.events.imageEvents(0, 1000)).length; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await t.server.store.events.imageEvents(0, 1000), []);
    assert.deepEqual(await t.server.store.events.deliveries(), []);
    assert.equal(
      (await c.send(new ib.GetImageCommand({ imageBuildVersionArn: arn }))).image?.state?.status,
      'PENDING',
      'the image itself stays',
    );
  } finally {
    await t.stop();
    await hook.stop();
  }
});
