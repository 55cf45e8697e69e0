/**
 * @module planFromImage against a real SQLite store: an earlier Ingot image as parentImage. An ARN
 * with a build number names exactly that build; a version without build, or with `x` wildcards,
 * takes the newest AVAILABLE matching build.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Image, ImageStatus } from '../model/generated/shapes.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { Store } from '../store/types.ts';
import { localJobStore } from './job-store.ts';
import { planFromImage } from './image-plan.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const BASE = `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:image/golden`;
const where = { account: ACCOUNT, region: REGION };
const dir = mkdtempSync(join(tmpdir(), 'ingot-image-plan-'));
const home = join(dir, 'home');
let store: Store;

async function image(version: string, build: number, status: ImageStatus): Promise<void> {
  const arn = `${BASE}/${version}/${build}`;
  const now = new Date().toISOString();
  const doc: Image = { arn, type: 'AMI', name: 'golden', version, platform: 'Linux', state: { status } };
  await store.resources.insert({
    arn,
    type: 'image',
    account: ACCOUNT,
    region: REGION,
    name: 'golden',
    version,
    build,
    doc,
    createdAt: now,
    updatedAt: now,
  });
}

/** The rootfs tarball path the plan of a child recipe with this parentImage builds on. */
async function parentOf(parentImage: string): Promise<string> {
  const child: Image = {
    arn: `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:image/child/1.0.0/1`,
    imageRecipe: { name: 'child', version: '1.0.0', parentImage, components: [] },
  };
  const plan = await planFromImage(localJobStore(store), home, child, where);
  assert.equal(plan.parent.type, 'rootfs-tarball');
  return (plan.parent as { path: string }).path;
}
const tarball = (version: string, build: number) =>
  join(home, 'images', REGION, ACCOUNT, 'golden', version, String(build), 'rootfs.tar.zst');

before(async () => {
  store = openSqliteStore(join(dir, 'ingot.db'));
  await image('1.0.0', 1, 'AVAILABLE');
  await image('1.0.0', 2, 'FAILED');
  await image('1.1.0', 1, 'AVAILABLE');
  await image('1.1.0', 2, 'AVAILABLE');
  await image('1.2.0', 1, 'CANCELLED');
  await image('2.0.0', 1, 'BUILDING');
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an image ARN with a build number names exactly that build, even if a newer build of the version failed', async () => {
  assert.equal(await parentOf(`${BASE}/1.0.0/1`), tarball('1.0.0', 1));
  assert.equal(await parentOf(`${BASE}/1.1.0/1`), tarball('1.1.0', 1), 'not the newer build 2');
  assert.equal(await parentOf(`${BASE}/1.1.0/2`), tarball('1.1.0', 2));
});

test('a named build that is not AVAILABLE, or does not exist, is refused with its state', async () => {
  await assert.rejects(parentOf(`${BASE}/1.0.0/2`), {
    name: 'IngotError',
    message: /golden\/1\.0\.0\/2 is FAILED, not AVAILABLE/,
  });
  await assert.rejects(parentOf(`${BASE}/1.0.0/9`), { message: /golden\/1\.0\.0\/9 does not exist/ });
});

test('a version without build, or a wildcard, takes the newest AVAILABLE matching build', async () => {
  assert.equal(await parentOf(`${BASE}/1.0.0`), tarball('1.0.0', 1), 'build 2 failed');
  assert.equal(await parentOf(`${BASE}/1.1.0`), tarball('1.1.0', 2));
  assert.equal(await parentOf(`${BASE}/1.x.x`), tarball('1.1.0', 2), '1.2.0 was cancelled');
  assert.equal(await parentOf(`${BASE}/x.x.x`), tarball('1.1.0', 2), '2.0.0 is still building');
  assert.equal(await parentOf(`${BASE}/1.0.x`), tarball('1.0.0', 1));
  assert.equal(await parentOf(BASE), tarball('1.1.0', 2));
  await assert.rejects(parentOf(`${BASE}/1.2.0`), { message: /no AVAILABLE image matches .*golden\/1\.2\.0/ });
  await assert.rejects(parentOf(`${BASE}/3.x.x`), { message: /no AVAILABLE image matches .*golden\/3\.x\.x/ });
});
