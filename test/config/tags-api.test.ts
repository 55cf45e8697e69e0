/** @module ingot:* tags are checked when the resource is created, updated or tagged: a 400 naming the tag, through the real SDK. */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let c: ib.ImagebuilderClient;
before(async () => {
  t = await startTestServer();
  c = t.client();
});
after(() => t.stop());

const refused = (tag: string) => (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
  assert.equal(err.name, 'InvalidParameterValueException');
  assert.equal(err.$metadata?.httpStatusCode, 400);
  assert.match(err.message, new RegExp(`tag ${tag}: `));
  return true;
};

test('a bad ingot:fail-on-severity or ingot:compliance resource tag is refused at create and update', async () => {
  await assert.rejects(
    c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'bad-sev',
        instanceProfileName: 'p',
        resourceTags: { 'ingot:fail-on-severity': 'SCARY' },
        clientToken: 't1',
      }),
    ),
    refused('ingot:fail-on-severity'),
  );
  const ok = await c.send(
    new ib.CreateInfrastructureConfigurationCommand({
      name: 'good',
      instanceProfileName: 'p',
      resourceTags: { 'ingot:fail-on-severity': 'high', 'ingot:compliance': 'cis_level1_server' },
      clientToken: 't2',
    }),
  );
  await assert.rejects(
    c.send(
      new ib.UpdateInfrastructureConfigurationCommand({
        infrastructureConfigurationArn: ok.infrastructureConfigurationArn!,
        instanceProfileName: 'p',
        resourceTags: { 'ingot:compliance': 'cis level 1; rm -rf /' },
        clientToken: 't3',
      }),
    ),
    refused('ingot:compliance'),
  );
});

test('a bad ingot:disk-formats tag is refused on CreateDistributionConfiguration and TagResource', async () => {
  const distributions = [{ region: 'us-east-1', amiDistributionConfiguration: {} }];
  await assert.rejects(
    c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: 'bad-disk',
        distributions,
        tags: { 'ingot:disk-formats': 'qcow2,iso' },
        clientToken: 't4',
      }),
    ),
    refused('ingot:disk-formats'),
  );
  const ok = await c.send(
    new ib.CreateDistributionConfigurationCommand({
      name: 'disks',
      distributions,
      tags: { 'ingot:disk-formats': 'qcow2' },
      clientToken: 't5',
    }),
  );
  await assert.rejects(
    c.send(
      new ib.TagResourceCommand({
        resourceArn: ok.distributionConfigurationArn!,
        tags: { 'ingot:disk-formats': 'floppy' },
      }),
    ),
    refused('ingot:disk-formats'),
  );
});
