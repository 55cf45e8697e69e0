/**
 * @module Findings through the API: an image built with a tracker feed configured
 * (INGOT_SECURITY_FEED) answers ListImageScanFindings and ListImageScanFindingAggregations.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TEST_BASES_HOME } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs)' : false;
let t: TestServer;
before(async () => {
  process.env['INGOT_BASES_HOME'] = TEST_BASES_HOME;
  process.env['INGOT_SECURITY_FEED'] = new URL('../fixtures/security/tracker-feed.json', import.meta.url).pathname;
  t = await startTestServer({ worker: true });
});
after(async () => {
  delete process.env['INGOT_SECURITY_FEED'];
  await t.stop();
});

test('ListImageScanFindings and ListImageScanFindingAggregations report a built image', { skip }, async () => {
  const c = t.client();
  const data =
    'name: mark\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Mark\n        action: ExecuteBash\n        inputs:\n          commands:\n            - touch /etc/marked\n';
  const comp = await c.send(
    new ib.CreateComponentCommand({
      name: 'mark',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data,
      clientToken: 'f1',
    }),
  );
  const recipe = await c.send(
    new ib.CreateImageRecipeCommand({
      name: 'scanned',
      semanticVersion: '1.0.0',
      parentImage: 'debian-12',
      components: [{ componentArn: comp.componentBuildVersionArn! }],
      clientToken: 'f2',
    }),
  );
  const infra = await c.send(
    new ib.CreateInfrastructureConfigurationCommand({
      name: 'scan-infra',
      instanceProfileName: 'ingot',
      clientToken: 'f3',
    }),
  );
  const { imageBuildVersionArn } = await c.send(
    new ib.CreateImageCommand({
      imageRecipeArn: recipe.imageRecipeArn!,
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
      clientToken: 'f4',
    }),
  );
  for (let i = 0; i < 600; i++) {
    const s = (await c.send(new ib.GetImageCommand({ imageBuildVersionArn }))).image?.state;
    if (s?.status === 'AVAILABLE') break;
    assert.ok(!['FAILED', 'CANCELLED'].includes(s?.status ?? ''), s?.reason);
    await new Promise((r) => setTimeout(r, 500));
  }
  const { findings } = await c.send(
    new ib.ListImageScanFindingsCommand({
      filters: [{ name: 'imageBuildVersionArn', values: [imageBuildVersionArn!] }],
    }),
  );
  assert.ok(findings && findings.length > 0, 'the fixture feed has findings for Debian 12');
  assert.ok(findings.every((f) => f.imageBuildVersionArn === imageBuildVersionArn && f.severity));
  const high = await c.send(new ib.ListImageScanFindingsCommand({ filters: [{ name: 'severity', values: ['HIGH'] }] }));
  assert.ok(high.findings!.every((f) => f.severity === 'HIGH'));
  const agg = await c.send(
    new ib.ListImageScanFindingAggregationsCommand({
      filter: { name: 'imageBuildVersionArn', values: [imageBuildVersionArn!] },
    }),
  );
  assert.equal(agg.aggregationType, 'vulnerabilityId');
  assert.ok(agg.responses!.length > 0);
  await assert.rejects(
    c.send(new ib.ListImageScanFindingsCommand({ filters: [{ name: 'colour', values: ['x'] }] })),
    /colour/,
  );
});
