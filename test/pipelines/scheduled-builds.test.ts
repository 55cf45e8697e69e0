/**
 * @module Scheduled builds end to end (injected clock, real worker): the dependency condition
 * builds once, skips while nothing changed, builds again with a newer component — and the
 * fingerprint notices a refreshed managed base (new security updates) or one due for a refresh.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ImagePipeline } from '../../src/model/generated/shapes.ts';
import { dependencyFingerprint } from '../../src/scheduler/fingerprint.ts';
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

let t: PipelineServer;
before(async () => {
  t = await startPipelineServer({ worker: !skipUnlessRoot });
});
after(() => t.stop());

test('a scheduled pipeline builds only when a dependency changed', { skip: skipUnlessRoot }, async () => {
  const c = t.client;
  await createComponent(c, 'e2e-comp', '1.0.0', ['echo 1.0.0 > /etc/e2e']);
  const recipe = (
    await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'e2e-vm',
        semanticVersion: '1.0.0',
        parentImage: BASE,
        clientToken: ct(),
        components: [{ componentArn: 'arn:aws:imagebuilder:us-east-1:123456789012:component/e2e-comp/1.x.x' }],
      }),
    )
  ).imageRecipeArn!;
  const infra = (
    await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'e2e-infra',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
  const arn = (
    await c.send(
      new ib.CreateImagePipelineCommand({
        name: 'e2e',
        imageRecipeArn: recipe,
        infrastructureConfigurationArn: infra,
        schedule: { scheduleExpression: 'cron(0/10 * * * ? *)' },
        clientToken: ct(),
      }),
    )
  ).imagePipelineArn!;
  const scheduler = t.server.operations.scheduler!;
  const tick = async () => {
    t.clock.advance(10 * 60_000);
    return (await scheduler.tick()).get(arn);
  };
  await scheduler.tick();
  assert.equal(await tick(), 'fired');
  const [first] = await pipelineImages(c, arn);
  assert.equal((await waitForImage(c, first!.arn!)).state?.status, 'AVAILABLE');
  assert.equal(await tick(), 'unchanged');
  assert.equal(await tick(), 'unchanged');
  await createComponent(c, 'e2e-comp', '1.0.1', ['echo 1.0.1 > /etc/e2e']);
  assert.equal(await tick(), 'fired');
  const images = await pipelineImages(c, arn);
  assert.equal(images.length, 2);
  const second = images.find((i) => i.arn !== first!.arn)!;
  assert.equal((await waitForImage(c, second.arn!)).state?.status, 'AVAILABLE');
  const p = (await c.send(new ib.GetImagePipelineCommand({ imagePipelineArn: arn }))).imagePipeline!;
  assert.equal(p.lastRunStatus, 'AVAILABLE');
  assert.equal(p.consecutiveFailures ?? 0, 0);
  assert.equal(await tick(), 'unchanged');
});

test('the fingerprint changes with a new base bootstrap and when the base is due for a refresh', async () => {
  const bases = mkdtempSync(join(tmpdir(), 'ingot-fp-bases-'));
  const setBase = (id: string, digest: string, createdAt: string) => {
    mkdirSync(join(bases, 'bases/debian-12', id), { recursive: true });
    writeFileSync(
      join(bases, 'bases/debian-12', id, 'metadata.json'),
      JSON.stringify({ name: 'debian-12', version: id, createdAt, digest, osVersion: 'Debian 12' }),
    );
    rmSync(join(bases, 'bases/debian-12/current'), { force: true });
    symlinkSync(id, join(bases, 'bases/debian-12/current'));
  };
  try {
    const c = t.client;
    const comp = await createComponent(c, 'fp-comp', '1.0.0', ['true']);
    const recipe = (
      await c.send(
        new ib.CreateImageRecipeCommand({
          name: 'fp-vm',
          semanticVersion: '1.0.0',
          parentImage: BASE,
          components: [{ componentArn: comp }],
          clientToken: ct(),
        }),
      )
    ).imageRecipeArn!;
    const pipeline: ImagePipeline = { imageRecipeArn: recipe };
    const now = Date.parse('2026-11-25T12:00:00Z');
    const fp = () => dependencyFingerprint(t.server.store, bases, pipeline, 'us-east-1', now);
    setBase('a', 'sha256:aaa', '2026-11-24T00:00:00Z');
    const first = await fp();
    assert.equal(await fp(), first, 'stable while nothing changes');
    setBase('b', 'sha256:bbb', '2026-11-25T00:00:00Z');
    const refreshed = await fp();
    assert.notEqual(refreshed, first, 'a new bootstrap (security updates) is a dependency update');
    setBase('c', 'sha256:bbb', '2026-11-01T00:00:00Z');
    assert.notEqual(await fp(), refreshed, 'a base older than the refresh age is due for updates');
  } finally {
    rmSync(bases, { recursive: true, force: true });
  }
});
