/**
 * @module Behaviours where Ingot used to differ from EC2 Image Builder (issue 16's list), each
 * checked with the real SDK against a real server: shared builds in `owner=Shared` lists, versions
 * with leading zeros, ListComponents' filters, latestVersionReferences, fields CreateImage and
 * CreateImageRecipe used to drop, DistributeImage of a version ARN, build numbers after a delete,
 * wildcard parent images, tags of version ARNs, and supportedOsVersions against the parent image.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/server.ts';
import { rejects } from '../helpers/rejects.ts';

const OTHER = { accessKeyId: 'AKIAINGOTTESTKEY0004', secretAccessKey: 'ingot-test-secret-key-000000000000000004' };
const OTHER_ACCOUNT = '210987654321';
const PARENT = 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x';
const doc = (name: string) =>
  `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: s\n        action: ExecuteBash\n        inputs:\n          commands: ["true"]\n`;
let t: TestServer;
let c: ib.ImagebuilderClient;
let o: ib.ImagebuilderClient;

before(async () => {
  t = await startTestServer();
  c = t.client();
  await t.server.store.credentials.put({ ...OTHER, accountId: OTHER_ACCOUNT });
  o = t.client('us-east-1', OTHER);
});
after(() => t.stop());

const component = (name: string, semanticVersion = '1.0.0', extra: Partial<ib.CreateComponentRequest> = {}) =>
  c.send(new ib.CreateComponentCommand({ name, semanticVersion, platform: 'Linux', data: doc(name), ...extra }));

async function availableImage(recipeName: string): Promise<string> {
  const comp = await component(`${recipeName}-c`);
  const recipe = await c.send(
    new ib.CreateImageRecipeCommand({
      name: recipeName,
      semanticVersion: '1.0.0',
      parentImage: PARENT,
      components: [{ componentArn: comp.componentBuildVersionArn! }],
    }),
  );
  const infra = await c.send(
    new ib.CreateInfrastructureConfigurationCommand({ name: `${recipeName}-i`, instanceProfileName: 'ingot' }),
  );
  const image = await c.send(
    new ib.CreateImageCommand({
      imageRecipeArn: recipe.imageRecipeArn!,
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
    }),
  );
  const arn = image.imageBuildVersionArn!;
  // The build's outcome, as a worker leaves it (this server runs no worker): AVAILABLE, job done.
  for (const job of await t.server.store.jobs.byResource(arn)) await t.server.store.jobs.cancel(job.id, 'test');
  const record = (await t.server.store.resources.get<Record<string, unknown>>(arn))!;
  await t.server.store.resources.update(arn, { ...record.doc, state: { status: 'AVAILABLE' } });
  return arn;
}

test('owner=Shared lists the shared build even after the owner makes a newer, unshared build', async () => {
  const first = (await component('share-me')).componentBuildVersionArn!;
  await c.send(
    new ib.PutComponentPolicyCommand({
      componentArn: first,
      policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: OTHER_ACCOUNT }, Action: '*' }] }),
    }),
  );
  const shared = await o.send(new ib.ListComponentsCommand({ owner: 'Shared' }));
  assert.deepEqual(
    shared.componentVersionList?.map((v) => v.name),
    ['share-me'],
  );
  // The owner makes build 2 of the same version, not shared: build 1 stays listed for the other account.
  const second = (await component('share-me')).componentBuildVersionArn!;
  assert.match(second, /\/1\.0\.0\/2$/);
  const again = await o.send(new ib.ListComponentsCommand({ owner: 'Shared' }));
  assert.deepEqual(
    again.componentVersionList?.map((v) => `${v.name}@${v.version}`),
    ['share-me@1.0.0'],
  );
  const builds = await o.send(
    new ib.ListComponentBuildVersionsCommand({ componentVersionArn: first.replace(/\/1$/, '') }),
  );
  assert.deepEqual(
    builds.componentSummaryList?.map((s) => s.arn),
    [first],
  );
});

test('a version with a leading zero is refused (it would be a second name for another version)', async () => {
  await rejects(component('zeros', '01.0.0'), 'InvalidVersionNumberException', /leading zeros/);
  await rejects(component('zeros', '1.00.0'), 'InvalidVersionNumberException');
  assert.ok((await component('zeros', '1.0.0')).componentBuildVersionArn);
});

test("ListComponents' version, description and supportedOsVersion filters (any of the versions)", async () => {
  await component('filtered', '2.0.0', { description: 'alpha', supportedOsVersions: ['Debian 13', 'Debian 12'] });
  await component('filtered', '2.1.0', { description: 'beta', supportedOsVersions: ['Debian 13'] });
  const names = async (filters: ib.Filter[]) =>
    ((await c.send(new ib.ListComponentsCommand({ filters }))).componentVersionList ?? []).map(
      (v) => `${v.name}@${v.version}`,
    );
  assert.deepEqual(await names([{ name: 'version', values: ['2.1.0'] }]), ['filtered@2.1.0']);
  assert.deepEqual(await names([{ name: 'description', values: ['alpha'] }]), ['filtered@2.0.0']);
  assert.deepEqual(await names([{ name: 'supportedOsVersion', values: ['Debian 12'] }]), ['filtered@2.0.0']);
  assert.deepEqual((await names([{ name: 'supportedOsVersion', values: ['Debian 13'] }])).sort(), [
    'filtered@2.0.0',
    'filtered@2.1.0',
  ]);
});

test('latestVersionReferences name the newest overall, same-major, same-minor and same-patch resources', async () => {
  const v100 = (await component('refs', '1.0.0')).componentBuildVersionArn!;
  const v110 = (await component('refs', '1.1.0')).componentBuildVersionArn!;
  const created = await component('refs', '2.0.0');
  const v200 = created.componentBuildVersionArn!;
  assert.equal(created.latestVersionReferences?.latestVersionArn, v200);
  const got = await c.send(new ib.GetComponentCommand({ componentBuildVersionArn: v100 }));
  assert.deepEqual(got.latestVersionReferences, {
    latestVersionArn: v200,
    latestMajorVersionArn: v110,
    latestMinorVersionArn: v100,
    latestPatchVersionArn: v100,
  });
  const recipe = await c.send(
    new ib.CreateImageRecipeCommand({
      name: 'refs-r',
      semanticVersion: '1.0.0',
      parentImage: PARENT,
      components: [{ componentArn: v100 }],
    }),
  );
  assert.equal(recipe.latestVersionReferences?.latestVersionArn, recipe.imageRecipeArn);
  const recipeGot = await c.send(new ib.GetImageRecipeCommand({ imageRecipeArn: recipe.imageRecipeArn! }));
  assert.equal(recipeGot.latestVersionReferences?.latestPatchVersionArn, recipe.imageRecipeArn);
});

test('CreateImage keeps executionRole, loggingConfiguration and imageScanningConfiguration; recipes keep amiWatermarks', async () => {
  const comp = (await component('kept-c')).componentBuildVersionArn!;
  // This SDK release predates amiWatermarks in its model, so the member is added to the JSON body
  // before signing, as a newer SDK would send it.
  const withWatermarks = t.client();
  withWatermarks.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown; headers: Record<string, string> };
      const text = request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : request.body;
      if (typeof text === 'string') {
        request.body = JSON.stringify({ ...JSON.parse(text), amiWatermarks: ['lineage-a'] });
        request.headers['content-length'] = String(Buffer.byteLength(request.body as string));
      }
      return next(args);
    },
    { step: 'build', name: 'addAmiWatermarks' },
  );
  const recipe = await withWatermarks.send(
    new ib.CreateImageRecipeCommand({
      name: 'kept',
      semanticVersion: '1.0.0',
      parentImage: PARENT,
      components: [{ componentArn: comp }],
    }),
  );
  const stored = await t.server.store.resources.get<{ amiWatermarks?: string[] }>(recipe.imageRecipeArn!);
  assert.deepEqual(stored?.doc.amiWatermarks, ['lineage-a']);
  const infra = await c.send(
    new ib.CreateInfrastructureConfigurationCommand({ name: 'kept-i', instanceProfileName: 'ingot' }),
  );
  const image = await c.send(
    new ib.CreateImageCommand({
      imageRecipeArn: recipe.imageRecipeArn!,
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
      executionRole: 'ingot-builder',
      loggingConfiguration: { logGroupName: '/aws/imagebuilder/kept-logs' },
      imageScanningConfiguration: { imageScanningEnabled: true },
    }),
  );
  assert.equal(image.latestVersionReferences?.latestVersionArn, image.imageBuildVersionArn);
  const got = (await c.send(new ib.GetImageCommand({ imageBuildVersionArn: image.imageBuildVersionArn! }))).image!;
  assert.equal(got.executionRole, 'ingot-builder');
  assert.deepEqual(got.loggingConfiguration, { logGroupName: '/aws/imagebuilder/kept-logs' });
  assert.equal(got.imageScanningConfiguration?.imageScanningEnabled, true);
});

test('DistributeImage takes an image version ARN (its newest build)', async () => {
  const arn = await availableImage('dist-version');
  const versionArn = arn.replace(/\/[0-9]+$/, '');
  const dist = await c.send(
    new ib.CreateDistributionConfigurationCommand({
      name: 'dist-version-d',
      distributions: [{ region: 'us-west-2', amiDistributionConfiguration: {} }],
    }),
  );
  const r = await c.send(
    new ib.DistributeImageCommand({
      sourceImage: versionArn,
      distributionConfigurationArn: dist.distributionConfigurationArn!,
      executionRole: 'ingot',
      clientToken: 'dist-version-1',
    }),
  );
  assert.equal(r.imageBuildVersionArn, arn);
});

test('a build number is never given twice, even after the build is deleted', async () => {
  const first = (await component('renumber')).componentBuildVersionArn!;
  assert.match(first, /\/1\.0\.0\/1$/);
  await c.send(new ib.DeleteComponentCommand({ componentBuildVersionArn: first }));
  const second = (await component('renumber')).componentBuildVersionArn!;
  assert.match(second, /\/1\.0\.0\/2$/);
});

test('a wildcard parentImage pins no build: the build it resolved to can still be deleted', async () => {
  const image = await availableImage('parent-src');
  const wildcard = image.replace(/\/1\.0\.0\/1$/, '/1.0.x');
  const comp = (await component('child-c')).componentBuildVersionArn!;
  await c.send(
    new ib.CreateImageRecipeCommand({
      name: 'child',
      semanticVersion: '1.0.0',
      parentImage: wildcard,
      components: [{ componentArn: comp }],
    }),
  );
  await c.send(new ib.DeleteImageCommand({ imageBuildVersionArn: image }));
  // An exact build ARN does pin it.
  const exact = await availableImage('parent-exact');
  await c.send(
    new ib.CreateImageRecipeCommand({
      name: 'child2',
      semanticVersion: '1.0.0',
      parentImage: exact,
      components: [{ componentArn: comp }],
    }),
  );
  await rejects(c.send(new ib.DeleteImageCommand({ imageBuildVersionArn: exact })), 'ResourceDependencyException');
});

test('TagResource, UntagResource and ListTagsForResource all take a component version ARN (its newest build)', async () => {
  const arn = (await component('tagged')).componentBuildVersionArn!;
  const versionArn = arn.replace(/\/[0-9]+$/, '');
  await c.send(new ib.TagResourceCommand({ resourceArn: versionArn, tags: { team: 'a' } }));
  assert.deepEqual((await c.send(new ib.ListTagsForResourceCommand({ resourceArn: versionArn }))).tags, { team: 'a' });
  assert.deepEqual((await c.send(new ib.ListTagsForResourceCommand({ resourceArn: arn }))).tags, { team: 'a' });
  await c.send(new ib.UntagResourceCommand({ resourceArn: versionArn, tagKeys: ['team'] }));
  assert.deepEqual((await c.send(new ib.ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {}, {});
  // Another account's resource stays forbidden.
  await rejects(o.send(new ib.TagResourceCommand({ resourceArn: versionArn, tags: { x: 'y' } })), 'ForbiddenException');
});

test("a recipe is refused when a component's supportedOsVersions do not match the parent image", async () => {
  const rhel = (await component('rhel-only', '1.0.0', { supportedOsVersions: ['Red Hat Enterprise Linux 9'] }))
    .componentBuildVersionArn!;
  await rejects(
    c.send(
      new ib.CreateImageRecipeCommand({
        name: 'mismatch',
        semanticVersion: '1.0.0',
        parentImage: PARENT,
        components: [{ componentArn: rhel }],
      }),
    ),
    'InvalidParameterValueException',
    /supports 'Red Hat Enterprise Linux 9', not the parent image's OS 'Debian 12'/,
  );
  const debian = (await component('debian-any', '1.0.0', { supportedOsVersions: ['Debian'] }))
    .componentBuildVersionArn!;
  const ok = await c.send(
    new ib.CreateImageRecipeCommand({
      name: 'match',
      semanticVersion: '1.0.0',
      parentImage: 'debian-12',
      components: [{ componentArn: debian }],
    }),
  );
  assert.ok(ok.imageRecipeArn);
  assert.equal(TEST_ACCOUNT, '123456789012');
});

test('a region without outputs, and an AMI name without {{ imagebuilder:buildDate }}, are refused as AWS refuses them', async () => {
  await rejects(
    c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: 'no-outputs',
        distributions: [{ region: 'us-east-1', amiDistributionConfiguration: {} }, { region: 'us-west-2' }],
      }),
    ),
    'InvalidParameterValueException',
    /^The value supplied for parameter 'distributions\[1\]' is not valid\. One or more outputs should be provided for each region/,
  );
  const named = (name: string) =>
    c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: `named-${name.length}`,
        distributions: [{ region: 'us-east-1', amiDistributionConfiguration: { name } }],
      }),
    );
  await rejects(
    named('my-ami 1.0'),
    'InvalidParameterValueException',
    /parameter 'distributions\[0\]\.amiDistributionConfiguration\.name' is not valid\. The EC2 AMI name must contain '\{\{ imagebuilder:buildDate \}\}'/,
  );
  // The spacing AWS's examples use either way, and the dated form, are accepted.
  await named('my-ami {{ imagebuilder:buildDate }}');
  await named('my-ami-{{imagebuilder:buildDate}}');
  await named('my-ami-{{imagebuilder:buildDate:yyyyMMddHHmmss}}');
  // Update checks the same.
  const arn = `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:distribution-configuration/named-35`;
  await rejects(
    c.send(
      new ib.UpdateDistributionConfigurationCommand({
        distributionConfigurationArn: arn,
        distributions: [{ region: 'eu-west-1' }],
      }),
    ),
    'InvalidParameterValueException',
    /One or more outputs/,
  );
});
