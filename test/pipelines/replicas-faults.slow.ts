/**
 * @module Faults of a PostgreSQL deployment: one of two `ingot server` processes killed with -9
 * during 200 concurrent requests (a client that retries connection errors on the other server
 * loses nothing: every acknowledged write is there, one resource per clientToken); PostgreSQL
 * restarted (`pg_ctl restart -m fast`) during a build (the build ends AVAILABLE, or FAILED with a
 * reason; its job is finished, nothing is left BUILDING; the pool reconnects).
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type PostgresServer, postgresSkip, startPostgres } from '../helpers/postgres.ts';
import { startReplicas } from '../helpers/replicas.ts';
import {
  BASE,
  componentDoc,
  createComponent,
  ct,
  skipUnlessRoot,
  startPipelineServer,
  waitForImage,
} from './helpers.ts';

/** A connection-level failure (the server is gone), as opposed to an answer from the service. */
const isConnectionError = (err: unknown): boolean =>
  !(err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

describe('PostgreSQL deployment faults', { skip: postgresSkip ?? false, concurrency: false }, () => {
  let pg: PostgresServer;
  before(async () => {
    pg = await startPostgres();
  });
  after(() => pg?.stop());

  test('kill -9 of one of two API servers during 200 concurrent requests loses no acknowledged write', async () => {
    const set = await startReplicas(await pg.createDatabase(), 2);
    try {
      const clients = set.replicas.map((r) => r.client());
      let acknowledged = 0;
      let retried = 0;
      let killed = false;
      const create = async (i: number) => {
        const input = {
          name: `kill-${i}`,
          semanticVersion: '1.0.0',
          platform: 'Linux' as const,
          data: componentDoc(`kill-${i}`, ['true']),
          clientToken: `kill-test-${i}`,
        };
        // Half the requests go to the server that dies; a connection error is retried on the other.
        for (let attempt = 0; ; attempt++) {
          const client = clients[attempt === 0 ? i % 2 : 1]!;
          try {
            const r = await client.send(new ib.CreateComponentCommand(input));
            if (++acknowledged === 40 && !killed) {
              killed = true;
              set.replicas[0]!.kill();
            }
            return r.componentBuildVersionArn!;
          } catch (err) {
            if (!isConnectionError(err) || attempt > 5) throw err;
            retried++;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      };
      const arns = await Promise.all(Array.from({ length: 200 }, (_, i) => create(i)));
      assert.ok(killed, 'the server was killed mid-run');
      assert.ok(retried > 0, 'some requests were cut off and retried');
      console.log(`# ${retried} requests cut off by the kill were retried on the other server`);
      const survivor = clients[1]!;
      for (const [i, arn] of arns.entries()) {
        assert.equal(arn.split('/').at(-1), '1', `kill-${i}: one build per clientToken`);
        const got = await survivor.send(new ib.GetComponentCommand({ componentBuildVersionArn: arn }));
        assert.equal(got.component?.name, `kill-${i}`);
      }
      const all = await survivor.send(new ib.ListComponentsCommand({ maxResults: 25 }));
      let n = all.componentVersionList?.length ?? 0;
      for (let next = all.nextToken; next; ) {
        const page = await survivor.send(new ib.ListComponentsCommand({ maxResults: 25, nextToken: next }));
        n += page.componentVersionList?.length ?? 0;
        next = page.nextToken;
      }
      assert.equal(n, 200);
    } finally {
      await set.stop();
    }
  });

  test('a PostgreSQL restart during a build: the build ends with a result, the pool reconnects', {
    skip: skipUnlessRoot,
  }, async () => {
    const t = await startPipelineServer({
      worker: true,
      env: { INGOT_DATABASE_URL: await pg.createDatabase(), INGOT_SECRET_KEY: randomBytes(32).toString('base64') },
    });
    try {
      const comp = await createComponent(t.client, 'pg-restart', '1.0.0', ['sleep 6', 'echo built']);
      const recipe = (
        await t.client.send(
          new ib.CreateImageRecipeCommand({
            name: 'pg-restart',
            semanticVersion: '1.0.0',
            parentImage: BASE,
            components: [{ componentArn: comp }],
            clientToken: ct(),
          }),
        )
      ).imageRecipeArn!;
      const infra = (
        await t.client.send(
          new ib.CreateInfrastructureConfigurationCommand({
            name: 'pg-restart',
            instanceProfileName: 'ingot',
            clientToken: ct(),
          }),
        )
      ).infrastructureConfigurationArn!;
      const arn = (
        await t.client.send(
          new ib.CreateImageCommand({
            imageRecipeArn: recipe,
            infrastructureConfigurationArn: infra,
            clientToken: ct(),
          }),
        )
      ).imageBuildVersionArn!;
      await waitForImage(t.client, arn, (s) => s === 'BUILDING' || s === 'AVAILABLE' || s === 'FAILED');
      await pg.restart();
      const image = await waitForImage(t.client, arn);
      if (image.state?.status === 'FAILED') assert.ok(image.state.reason, 'a failed build says why');
      else assert.equal(image.state?.status, 'AVAILABLE');
      const jobs = await t.server.store.jobs.byResource(arn);
      assert.ok(jobs.length >= 1);
      assert.ok(
        jobs.every((j) => j.state !== 'running' && j.state !== 'queued'),
        `every job of the build finished: ${jobs.map((j) => j.state)}`,
      );
      // The pool reconnected: writes work again.
      await createComponent(t.client, 'after-restart', '1.0.0', ['true']);
      console.log(`# build after the restart: ${image.state?.status} ${image.state?.reason ?? ''}`);
    } finally {
      await t.stop();
    }
  });
});
