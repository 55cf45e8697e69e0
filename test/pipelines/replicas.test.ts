/**
 * @module Two API servers on one PostgreSQL: build numbers, clientToken idempotency and pagination
 * stay right under concurrent writes through both (two `ingot server` processes); and a one-minute
 * cron on two replicas fires once per minute (five runs in five minutes), the clock driven by the
 * test (the schedulers' injectable clock, ticked by hand) instead of waiting five real minutes; and
 * an image built by one server's in-process worker shows its build log (GetLogEvents, `ingot logs`)
 * and its packages (ListImagePackages) through the other server, which never saw its data directory.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ManualClock } from '../../src/scheduler/clock.ts';
import { runIngot } from '../helpers/cli.ts';
import { type PostgresServer, postgresSkip, startPostgres } from '../helpers/postgres.ts';
import { type ReplicaSet, startReplicas } from '../helpers/replicas.ts';
import {
  BASE,
  componentDoc,
  createComponent,
  ct,
  pipelineImages,
  skipUnlessRoot,
  startPipelineServer,
  TEST_KEY,
  waitForImage,
  type PipelineServer,
} from './helpers.ts';

describe('API replicas on one PostgreSQL', { skip: postgresSkip ?? false, concurrency: false }, () => {
  let pg: PostgresServer;
  before(async () => {
    pg = await startPostgres();
  });
  after(() => pg?.stop());

  test('two `ingot server` processes: unique build numbers, one resource per clientToken, stable pages', async () => {
    const set: ReplicaSet = await startReplicas(await pg.createDatabase(), 2);
    try {
      const [a, b] = set.replicas.map((r) => r.client());
      const create = (c: ib.ImagebuilderClient, clientToken: string) =>
        c.send(
          new ib.CreateComponentCommand({
            name: 'raced',
            semanticVersion: '1.0.0',
            platform: 'Linux',
            data: componentDoc('raced', ['true']),
            clientToken,
          }),
        );
      // 24 different requests for one name/version at once, half through each server.
      const made = await Promise.all(Array.from({ length: 24 }, (_, i) => create(i % 2 ? a! : b!, ct())));
      const builds = made.map((r) => Number(r.componentBuildVersionArn!.split('/').at(-1)));
      assert.deepEqual(
        [...builds].sort((x, y) => x - y),
        Array.from({ length: 24 }, (_, i) => i + 1),
      );
      // One token sent 10 times at once through both: one component, the same answer each time.
      const token = ct();
      const same = await Promise.all(Array.from({ length: 10 }, (_, i) => create(i % 2 ? a! : b!, token)));
      assert.equal(new Set(same.map((r) => r.componentBuildVersionArn)).size, 1);
      // Pages taken alternately from both servers: every build once, in order.
      const seen: string[] = [];
      let nextToken: string | undefined;
      let i = 0;
      do {
        const page = await (i++ % 2 ? a! : b!).send(
          new ib.ListComponentBuildVersionsCommand({
            componentVersionArn: 'arn:aws:imagebuilder:us-east-1:123456789012:component/raced/1.0.0',
            maxResults: 7,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        seen.push(...(page.componentSummaryList ?? []).map((s) => s.arn!));
        nextToken = page.nextToken;
      } while (nextToken);
      assert.equal(seen.length, 25, 'the 24 builds and the one of the repeated token');
      assert.equal(new Set(seen).size, 25);
      assert.ok(seen.includes(same[0]!.componentBuildVersionArn!));
    } catch (err) {
      for (const r of set.replicas) console.error(r.stderr().slice(-3000));
      throw err;
    } finally {
      await set.stop();
    }
  });

  test('a one-minute cron on two replicas for five minutes runs exactly five times', async () => {
    const env = { INGOT_DATABASE_URL: await pg.createDatabase(), INGOT_SECRET_KEY: randomBytes(32).toString('base64') };
    const start = new Date('2026-11-25T10:00:30Z');
    const one: PipelineServer = await startPipelineServer({ env, clock: start });
    const two: PipelineServer = await startPipelineServer({ env, clock: start });
    try {
      const c = one.client;
      const component = (
        await c.send(
          new ib.CreateComponentCommand({
            name: 'cron-c',
            semanticVersion: '1.0.0',
            platform: 'Linux',
            data: componentDoc('cron-c', ['true']),
            clientToken: ct(),
          }),
        )
      ).componentBuildVersionArn!;
      const recipe = (
        await c.send(
          new ib.CreateImageRecipeCommand({
            name: 'cron-r',
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
            name: 'cron-i',
            instanceProfileName: 'ingot',
            clientToken: ct(),
          }),
        )
      ).infrastructureConfigurationArn!;
      const pipeline = (
        await c.send(
          new ib.CreateImagePipelineCommand({
            name: 'cron-p',
            imageRecipeArn: recipe,
            infrastructureConfigurationArn: infra,
            schedule: {
              scheduleExpression: 'cron(* * * * ? *)',
              pipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
            },
            clientToken: ct(),
          }),
        )
      ).imagePipelineArn!;
      // Both schedulers tick at every step of ten seconds for five minutes, at the same moment.
      const clocks: ManualClock[] = [one.clock, two.clock];
      for (let s = 0; s < 30; s++) {
        for (const clock of clocks) clock.advance(10_000);
        await Promise.all([one.server.operations.scheduler!.tick(), two.server.operations.scheduler!.tick()]);
      }
      assert.equal((await pipelineImages(two.client, pipeline)).length, 5);
    } finally {
      await one.stop();
      await two.stop();
    }
  });

  test("a build of one server's in-process worker: its log and packages through the other server", {
    skip: skipUnlessRoot,
  }, async () => {
    const env = { INGOT_DATABASE_URL: await pg.createDatabase(), INGOT_SECRET_KEY: randomBytes(32).toString('base64') };
    const builder: PipelineServer = await startPipelineServer({ env, worker: true });
    const other: PipelineServer = await startPipelineServer({ env });
    try {
      const c = builder.client;
      const component = await createComponent(c, 'local-c', '1.0.0', ['echo built-by-the-in-process-worker']);
      const recipe = (
        await c.send(
          new ib.CreateImageRecipeCommand({
            name: 'local-r',
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
            name: 'local-i',
            instanceProfileName: 'ingot',
            clientToken: ct(),
          }),
        )
      ).infrastructureConfigurationArn!;
      // Asked through the server without a worker; built by the other one's.
      const arn = (
        await other.client.send(
          new ib.CreateImageCommand({
            imageRecipeArn: recipe,
            infrastructureConfigurationArn: infra,
            clientToken: ct(),
          }),
        )
      ).imageBuildVersionArn!;
      const image = await waitForImage(other.client, arn, undefined, 180_000);
      assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
      // The packages, from the SBOM the in-process worker kept in the store.
      const packages: ib.ImagePackage[] = [];
      for await (const page of ib.paginateListImagePackages({ client: other.client }, { imageBuildVersionArn: arn }))
        packages.push(...(page.imagePackageList ?? []));
      assert.ok(
        packages.some((p) => p.packageName === 'dpkg'),
        `dpkg among ${packages.length} packages`,
      );
      // The build log through the other server's Logs API, and through `ingot logs` on its data directory.
      const logs = new CloudWatchLogsClient({
        endpoint: other.server.url,
        region: 'us-east-1',
        credentials: TEST_KEY,
        maxAttempts: 1,
      });
      const events = await logs.send(
        new GetLogEventsCommand({
          logGroupName: '/aws/imagebuilder/local-r',
          logStreamName: '1.0.0/1',
          startFromHead: true,
        }),
      );
      const messages = (events.events ?? []).map((e) => e.message ?? '');
      assert.ok(
        messages.some((m) => m.startsWith(`build of ${arn} started`)),
        messages.slice(0, 5).join('\n'),
      );
      assert.ok(messages.some((m) => m.includes('built-by-the-in-process-worker')));
      assert.equal(messages.at(-1), `image ${arn} is AVAILABLE`);
      const printed = await runIngot(['logs', arn], { INGOT_HOME: other.home, ...env }, 60_000);
      assert.equal(printed.code, 0, printed.stderr);
      assert.match(printed.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z build of \S+ started/);
      assert.match(printed.stdout, /is AVAILABLE\n$/);
      // Deleted with the image.
      await other.client.send(new ib.DeleteImageCommand({ imageBuildVersionArn: arn }));
      assert.deepEqual(await builder.server.store.buildLogs.read(arn, { limit: 10 }), []);
      assert.equal(await builder.server.store.imageDocuments.get(arn, 'sbom.spdx.json'), undefined);
    } finally {
      await builder.stop();
      await other.stop();
    }
  });
});
