/**
 * @module Lifecycle policies through the API with real builds: a DISABLED policy previews, an
 * ENABLED one keeping the newest image deletes the others' artifacts in every region (a tagged
 * image is excluded), executions and their resources are recorded, and StartResourceStateUpdate
 * deprecates one image on demand. AMI names use the build-version template.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { siteKeyOf } from '../../src/distribution/distribute.ts';
import {
  BASE,
  createComponent,
  ct,
  skipUnlessRoot,
  startPipelineServer,
  TEST_ACCOUNT,
  waitForImage,
  type PipelineServer,
} from './helpers.ts';

let t: PipelineServer;
before(async () => {
  if (!skipUnlessRoot) t = await startPipelineServer({ worker: true });
});
after(async () => {
  if (!skipUnlessRoot) await t.stop();
});

const DAY = 86_400_000;

test('a lifecycle policy keeping the newest image deletes the rest everywhere; preview, exclusions, executions', {
  skip: skipUnlessRoot,
}, async () => {
  const c = t.client;
  t.writeConfig({ sites: { 'us-west-2': { directory: join(t.home, 'west') } } });
  const comp = await createComponent(c, 'lc-comp', '1.0.0', ['echo lifecycle > /etc/ingot-lc']);
  const recipe = (
    await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'lc-vm',
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
        name: 'lc-infra',
        instanceProfileName: 'ingot',
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
  const ami = { name: 'lc-vm build {{ imagebuilder:buildVersion }} {{imagebuilder:buildDate:yyyyMMdd}}' };
  const dist = (
    await c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: 'lc-dist',
        distributions: [
          { region: 'us-east-1', amiDistributionConfiguration: ami },
          { region: 'us-west-2', amiDistributionConfiguration: {} },
        ],
        clientToken: ct(),
      }),
    )
  ).distributionConfigurationArn!;
  const arns: string[] = [];
  for (let i = 0; i < 3; i++) {
    const arn = (
      await c.send(
        new ib.CreateImageCommand({
          imageRecipeArn: recipe,
          infrastructureConfigurationArn: infra,
          distributionConfigurationArn: dist,
          clientToken: ct(),
        }),
      )
    ).imageBuildVersionArn!;
    const image = await waitForImage(c, arn);
    assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
    arns.push(arn);
  }
  const [first, second, third] = arns as [string, string, string];
  const built = (await c.send(new ib.GetImageCommand({ imageBuildVersionArn: second }))).image!;
  assert.match(built.outputResources?.amis?.[0]?.name ?? '', /^lc-vm build 2 \d{8}$/);
  assert.deepEqual(
    built.outputResources?.amis?.map((a) => [a.region, a.accountId, a.state?.status]),
    [
      ['us-east-1', TEST_ACCOUNT, 'AVAILABLE'],
      ['us-west-2', TEST_ACCOUNT, 'AVAILABLE'],
    ],
  );
  const copies = (arn: string) => [
    join(t.home, 'regions/us-east-1', TEST_ACCOUNT, 'images', siteKeyOf(arn)),
    join(t.home, 'west', TEST_ACCOUNT, 'images', siteKeyOf(arn)),
    join(t.home, 'images/us-east-1', TEST_ACCOUNT, 'lc-vm/1.0.0', arn.split('/').pop()!),
  ];
  for (const p of copies(second)) assert.ok(existsSync(p), p);
  await c.send(new ib.TagResourceCommand({ resourceArn: first, tags: { keep: 'yes' } }));

  await assert.rejects(
    c.send(
      new ib.CreateLifecyclePolicyCommand({
        name: 'bad',
        executionRole: 'ingot',
        resourceType: 'AMI_IMAGE',
        clientToken: ct(),
        resourceSelection: { recipes: [{ name: 'lc-vm', semanticVersion: '1.0.0' }] },
        policyDetails: [{ action: { type: 'DELETE' }, filter: { type: 'COUNT', value: 1, unit: 'DAYS' } }],
      }),
    ),
    /COUNT filter takes no 'unit'/,
  );
  const policy = {
    executionRole: 'ingot',
    resourceType: 'AMI_IMAGE' as const,
    resourceSelection: { recipes: [{ name: 'lc-vm', semanticVersion: '1.0.0' }] },
    policyDetails: [
      {
        action: { type: 'DELETE' as const },
        filter: { type: 'COUNT' as const, value: 1 },
        exclusionRules: { tagMap: { keep: 'yes' } },
      },
    ],
  };
  const policyArn = (
    await c.send(
      new ib.CreateLifecyclePolicyCommand({ name: 'keep-newest', status: 'DISABLED', ...policy, clientToken: ct() }),
    )
  ).lifecyclePolicyArn!;
  assert.equal(
    (await c.send(new ib.GetLifecyclePolicyCommand({ lifecyclePolicyArn: policyArn }))).lifecyclePolicy?.status,
    'DISABLED',
  );
  assert.equal((await c.send(new ib.ListLifecyclePoliciesCommand({}))).lifecyclePolicySummaryList?.length, 1);

  // Day 1 (the policy is DISABLED): a preview execution, nothing changes.
  const scheduler = t.server.operations.scheduler!;
  await scheduler.tick();
  t.clock.advance(DAY);
  await scheduler.tick();
  let executions =
    (await c.send(new ib.ListLifecycleExecutionsCommand({ resourceArn: policyArn }))).lifecycleExecutions ?? [];
  assert.equal(executions.length, 1);
  let resources =
    (
      await c.send(
        new ib.ListLifecycleExecutionResourcesCommand({ lifecycleExecutionId: executions[0]!.lifecycleExecutionId! }),
      )
    ).resources ?? [];
  assert.deepEqual(
    resources.map((r) => [r.resourceId, r.action?.name, r.state?.status]),
    [[second, 'DELETE', 'SKIPPED']],
  );
  assert.match(resources[0]!.state!.reason!, /preview: would DELETE/);
  for (const p of copies(second)) assert.ok(existsSync(p), `preview kept ${p}`);

  // Day 2, ENABLED: the second build is deleted in both regions and its build outputs are gone.
  await c.send(
    new ib.UpdateLifecyclePolicyCommand({
      lifecyclePolicyArn: policyArn,
      status: 'ENABLED',
      ...policy,
      clientToken: ct(),
    }),
  );
  t.clock.advance(DAY);
  await scheduler.tick();
  executions =
    (await c.send(new ib.ListLifecycleExecutionsCommand({ resourceArn: policyArn }))).lifecycleExecutions ?? [];
  assert.equal(executions.length, 2);
  const run = (
    await c.send(new ib.GetLifecycleExecutionCommand({ lifecycleExecutionId: executions[0]!.lifecycleExecutionId! }))
  ).lifecycleExecution!;
  assert.equal(run.state?.status, 'SUCCESS', run.state?.reason);
  resources =
    (await c.send(new ib.ListLifecycleExecutionResourcesCommand({ lifecycleExecutionId: run.lifecycleExecutionId! })))
      .resources ?? [];
  assert.deepEqual(
    resources.map((r) => [r.resourceId, r.action?.name, r.state?.status]),
    [[second, 'DELETE', 'SUCCESS']],
  );
  assert.equal(
    (await c.send(new ib.GetImageCommand({ imageBuildVersionArn: second }))).image?.state?.status,
    'DELETED',
  );
  for (const p of copies(second)) assert.equal(existsSync(p), false, `deleted ${p}`);
  for (const arn of [first, third]) for (const p of copies(arn)) assert.ok(existsSync(p), `kept ${p}`);
  assert.ok(
    (await c.send(new ib.GetLifecyclePolicyCommand({ lifecyclePolicyArn: policyArn }))).lifecyclePolicy?.dateLastRun,
  );

  // On demand: deprecate the excluded first image.
  const update = await c.send(
    new ib.StartResourceStateUpdateCommand({ resourceArn: first, state: { status: 'DEPRECATED' }, clientToken: ct() }),
  );
  assert.match(update.lifecycleExecutionId!, /^lce-/);
  const deprecated = (await c.send(new ib.GetImageCommand({ imageBuildVersionArn: first }))).image!;
  assert.equal(deprecated.state?.status, 'DEPRECATED');
  assert.ok(deprecated.deprecationTime);
  assert.equal(
    (await c.send(new ib.ListLifecycleExecutionsCommand({ resourceArn: first }))).lifecycleExecutions?.length,
    1,
  );
  await assert.rejects(
    c.send(
      new ib.StartResourceStateUpdateCommand({
        resourceArn: second,
        state: { status: 'AVAILABLE' },
        clientToken: ct(),
      }),
    ),
    /DELETED/,
  );
});
