/**
 * @module The lean List* path end to end (real server, real SDK): ListImages pages, filters,
 * includeDeprecated and owner over stored images with several builds; an image whose document
 * changes (in this process or another) is listed as it is now, not as it was; request bodies are
 * read straight from the node request, size limit included.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { databaseFile } from '../../src/server/config.ts';
import type { Image } from '../../src/model/generated/shapes.ts';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/server.ts';

const REGION = 'us-east-1';
let t: TestServer;
let c: ib.ImagebuilderClient;

interface Seed {
  name: string;
  version: string;
  build: number;
  status: string;
  osVersion?: string;
}

// Names sort as stored (sort key: account, name, version, build).
const SEEDS: Seed[] = [
  { name: 'alpha', version: '1.0.0', build: 1, status: 'AVAILABLE' },
  { name: 'alpha', version: '1.0.0', build: 2, status: 'FAILED' },
  { name: 'alpha', version: '1.2.0', build: 1, status: 'AVAILABLE', osVersion: 'Debian 13' },
  { name: 'alpha', version: '1.10.0', build: 1, status: 'AVAILABLE' },
  { name: 'beta', version: '1.0.0', build: 1, status: 'AVAILABLE' },
  { name: 'beta', version: '1.0.0', build: 2, status: 'DEPRECATED' },
  { name: 'gamma', version: '2.0.0', build: 3, status: 'BUILDING' },
  { name: 'gamma', version: '2.0.0', build: 1, status: 'AVAILABLE' },
  ...Array.from({ length: 30 }, (_, i) => ({
    name: `many-${String(i).padStart(2, '0')}`,
    version: '1.0.0',
    build: 1,
    status: 'AVAILABLE',
  })),
];

const arnOf = (s: Seed, account = TEST_ACCOUNT) =>
  `arn:aws:imagebuilder:${REGION}:${account}:image/${s.name}/${s.version}/${s.build}`;

function docOf(s: Seed, account = TEST_ACCOUNT): Image {
  return {
    arn: arnOf(s, account),
    type: 'AMI',
    name: s.name,
    version: s.version,
    platform: 'Linux',
    osVersion: s.osVersion ?? 'Debian 12',
    state: { status: s.status as never },
    dateCreated: `2026-01-0${s.build}T00:00:00.000Z`,
    outputResources: {},
    tags: { k: 'v' },
    buildType: 'USER_INITIATED',
    imageSource: 'CUSTOM',
  };
}

before(async () => {
  t = await startTestServer();
  c = t.client();
  const store = t.server.store;
  for (const s of SEEDS) {
    await store.resources.insert({
      arn: arnOf(s),
      type: 'image',
      account: TEST_ACCOUNT,
      region: REGION,
      name: s.name,
      version: s.version,
      build: s.build,
      doc: docOf(s),
      createdAt: 'c',
      updatedAt: 'u',
    });
  }
  // Another account's image is never listed for this one.
  const other = { name: 'alpha', version: '9.0.0', build: 1, status: 'AVAILABLE' };
  await store.resources.insert({
    arn: arnOf(other, '210987654321'),
    type: 'image',
    account: '210987654321',
    region: REGION,
    name: 'alpha',
    version: '9.0.0',
    build: 1,
    doc: docOf(other, '210987654321'),
    createdAt: 'c',
    updatedAt: 'u',
  });
});
after(() => t.stop());

async function listAll(input: ib.ListImagesRequest): Promise<ib.ImageVersion[]> {
  const out: ib.ImageVersion[] = [];
  let nextToken: string | undefined;
  do {
    const page = await c.send(new ib.ListImagesCommand({ ...input, ...(nextToken ? { nextToken } : {}) }));
    assert.ok((page.imageVersionList?.length ?? 0) <= (input.maxResults ?? 25));
    out.push(...(page.imageVersionList ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

// An ImageVersion names no build: the seeds' dateCreated day is their build number.
const versionsOf = (list: ib.ImageVersion[]) =>
  list.map((v) => `${v.name}/${v.version}/${Number(v.dateCreated?.slice(8, 10))}`);
const many = Array.from({ length: 30 }, (_, i) => `many-${String(i).padStart(2, '0')}/1.0.0/1`);

test('ListImages: the newest build of each version, in version order, deprecated ones hidden', async () => {
  const all = await listAll({ maxResults: 7 });
  assert.deepEqual(versionsOf(all), ['alpha/1.0.0/2', 'alpha/1.2.0/1', 'alpha/1.10.0/1', 'gamma/2.0.0/3', ...many]);
  // The exact ImageVersion shape: version ARN (no build), owner from the ARN, nothing else.
  assert.deepEqual(all[0], {
    arn: `arn:aws:imagebuilder:${REGION}:${TEST_ACCOUNT}:image/alpha/1.0.0`,
    name: 'alpha',
    type: 'AMI',
    version: '1.0.0',
    platform: 'Linux',
    osVersion: 'Debian 12',
    owner: TEST_ACCOUNT,
    dateCreated: '2026-01-02T00:00:00.000Z',
    buildType: 'USER_INITIATED',
    imageSource: 'CUSTOM',
  });
  const first = await c.send(new ib.ListImagesCommand({}));
  assert.equal(first.imageVersionList?.length, 25);
  assert.ok(first.nextToken);

  const withDeprecated = await listAll({ includeDeprecated: true, maxResults: 25 });
  assert.deepEqual(versionsOf(withDeprecated).slice(0, 5), [
    'alpha/1.0.0/2',
    'alpha/1.2.0/1',
    'alpha/1.10.0/1',
    'beta/1.0.0/2',
    'gamma/2.0.0/3',
  ]);

  const filtered = await listAll({ filters: [{ name: 'osVersion', values: ['Debian 13'] }] });
  assert.deepEqual(versionsOf(filtered), ['alpha/1.2.0/1']);
  const byName = await listAll({ filters: [{ name: 'name', values: ['gamma', 'beta'] }], includeDeprecated: true });
  assert.deepEqual(versionsOf(byName), ['beta/1.0.0/2', 'gamma/2.0.0/3']);

  assert.deepEqual(await listAll({ owner: 'Shared' }), []);
  assert.ok((await listAll({ owner: 'Amazon' })).every((v) => v.owner === 'Amazon'));
  await assert.rejects(c.send(new ib.ListImagesCommand({ nextToken: 'bm90LWEtdG9rZW4' })), {
    name: 'InvalidPaginationTokenException',
  });
  await assert.rejects(c.send(new ib.ListImagesCommand({ filters: [{ name: 'nope', values: ['x'] }] })), {
    name: 'InvalidParameterValueException',
  });
});

test('ListImages and ListImageBuildVersions show changed documents, whoever changed them', async () => {
  const gamma3 = SEEDS.find((s) => s.name === 'gamma' && s.build === 3)!;
  const before = await listAll({ filters: [{ name: 'name', values: ['gamma'] }] });
  assert.deepEqual(versionsOf(before), ['gamma/2.0.0/3']);
  // This process deprecates it: hidden now.
  await t.server.store.resources.update(arnOf(gamma3), { ...docOf(gamma3), state: { status: 'DEPRECATED' } });
  assert.deepEqual(await listAll({ filters: [{ name: 'name', values: ['gamma'] }] }), []);
  // Another process (an `ingot worker`) changes it back with another OS version.
  const elsewhere = openSqliteStore(databaseFile(t.home));
  try {
    await elsewhere.resources.update(arnOf(gamma3), { ...docOf(gamma3), osVersion: 'Debian 13' });
  } finally {
    await elsewhere.close();
  }
  const after = await listAll({ filters: [{ name: 'name', values: ['gamma'] }] });
  assert.equal(after[0]?.osVersion, 'Debian 13');
  const builds = await c.send(
    new ib.ListImageBuildVersionsCommand({
      imageVersionArn: `arn:aws:imagebuilder:${REGION}:${TEST_ACCOUNT}:image/gamma/2.0.0`,
    }),
  );
  assert.deepEqual(
    builds.imageSummaryList?.map((s) => [s.arn?.split('/').slice(-2).join('/'), s.state?.status, s.osVersion]),
    [
      ['2.0.0/1', 'AVAILABLE', 'Debian 12'],
      ['2.0.0/3', 'BUILDING', 'Debian 13'],
    ],
  );
  // A deleted newest build hands "newest" to the build before it.
  await t.server.store.resources.delete(arnOf(gamma3));
  assert.deepEqual(versionsOf(await listAll({ filters: [{ name: 'name', values: ['gamma'] }] })), ['gamma/2.0.0/1']);
});

test('a request body over the limit is refused with 413, read from the node request', async () => {
  const url = new URL(t.server.url);
  const answer = await new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/ListImages',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['x-amzn-errortype'] as string | undefined, body }),
        );
      },
    );
    req.on('error', reject);
    // Chunked (no content-length): only counting the bytes read catches it.
    const chunk = Buffer.alloc(64 * 1024, 32);
    for (let i = 0; i < 20; i++) req.write(chunk);
    req.end();
  });
  assert.equal(answer.status, 413);
  assert.equal(answer.type, 'RequestEntityTooLargeException');
  assert.match(answer.body, /larger than the maximum/);
});
