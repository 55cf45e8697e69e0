/**
 * @module The no-op fast path of `ingot build` (src/cli/build/noop-*.ts) on real files, a real
 * layer cache and a managed base's on-disk layout: an unchanged request places the cached outputs
 * (OCI blobs and the archive as hard links) with a fresh manifest; any changed input, a refreshed
 * or stale base, an evicted layer, a damaged or missing blob means the real build runs; the records are bounded.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import type { OutputManifest } from '../../src/artifacts/manifest.ts';
import { type LayerCache, openLayerCache } from '../../src/cache/layer-cache.ts';
import { tryNoopBuild } from '../../src/cli/build/noop-build.ts';
import { requestKey } from '../../src/cli/build/noop-record.ts';
import { NOOP_RECORDS_KEPT, pruneNoopRecords, saveNoopRecord } from '../../src/cli/build/noop-save.ts';
import { saveOutputs } from '../../src/engine/outputs/output-cache.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
let dir: string;
let cache: LayerCache;
let n = 0;
const key = requestKey(['web.yml', { compression: 'gzip' }]);
const recipe = () => join(dir, 'web.yml');
const component = () => join(dir, 'nginx.yml');
const absent = () => join(dir, 'not-there.yml');
const baseDir = () => join(dir, 'bases/bases/debian-12');
const layerDir = () => join(cache.root, 'layers', 'a'.repeat(64));

/** A base `current` points at, created `ageDays` ago. */
function base(id: string, ageDays = 0): void {
  mkdirSync(join(baseDir(), id, 'rootfs'), { recursive: true });
  const createdAt = new Date(Date.now() - ageDays * 86_400_000).toISOString();
  writeFileSync(join(baseDir(), id, 'metadata.json'), JSON.stringify({ name: 'debian-12', createdAt }));
  rmSync(join(baseDir(), 'current'), { force: true });
  symlinkSync(id, join(baseDir(), 'current'));
}

/** What a successful build leaves: inputs read, outputs in the cache, and its no-op record. */
async function build(): Promise<void> {
  writeFileSync(recipe(), 'name: web\ncomponents: [{ uri: nginx.yml }]\n');
  writeFileSync(component(), 'name: nginx\n');
  base('b1');
  mkdirSync(layerDir(), { recursive: true });
  const out = join(dir, `built-${n++}`);
  mkdirSync(join(out, 'oci/blobs/sha256'), { recursive: true });
  writeFileSync(join(out, 'oci/blobs/sha256', sha('layer bytes')), 'layer bytes');
  writeFileSync(join(out, 'oci/index.json'), '{"manifests":[]}');
  writeFileSync(join(out, 'image.oci.tar'), 'archive bytes');
  writeFileSync(join(out, 'sbom.spdx.json'), '{"spdxVersion":"SPDX-2.3"}');
  writeFileSync(join(out, 'disk.qcow2'), 'disk bytes');
  const manifest = {
    name: 'web',
    version: '1.0.0',
    kind: 'container',
    createdAt: new Date().toISOString(),
    parent: 'debian-12',
    artifacts: [
      { path: 'image.oci.tar', format: 'oci-archive', sha256: sha('archive bytes'), sizeBytes: 13 },
      { path: 'disk.qcow2', format: 'disk-qcow2', sha256: sha('disk bytes'), sizeBytes: 10 },
    ],
    layers: [
      { component: 'nginx', digest: `sha256:${sha('layer bytes')}`, diffId: 'sha256:x', size: 11, cached: false },
    ],
    stages: { build: 1000 },
    tests: 'passed',
  } satisfies OutputManifest;
  await saveOutputs(cache, 'o'.repeat(64), out, manifest);
  const read = new Map<string, string | undefined>([
    [recipe(), readFileSync(recipe(), 'utf8')],
    [component(), readFileSync(component(), 'utf8')],
    [absent(), undefined],
  ]);
  const saved = await saveNoopRecord({
    key,
    cache,
    read,
    basesHome: join(dir, 'bases'),
    baseName: 'debian-12',
    lowerDirs: [layerDir(), join(baseDir(), 'b1', 'rootfs')],
    outputKey: 'o'.repeat(64),
  });
  assert.equal(saved, true);
}

const noop = (output = join(dir, `out-${n++}`)) => tryNoopBuild({ cacheRoot: cache.root, key, output });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-noop-'));
  cache = await openLayerCache({ root: join(dir, 'cache'), maxBytes: 2 ** 30 });
});
beforeEach(build);
after(() => {
  cache.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an unchanged request places the cached outputs and a fresh manifest', async () => {
  const out = join(dir, 'fresh-out');
  const hit = await noop(out);
  assert.ok(hit);
  assert.equal(readFileSync(join(out, 'image.oci.tar'), 'utf8'), 'archive bytes');
  assert.equal(readFileSync(join(out, 'oci/blobs/sha256', sha('layer bytes')), 'utf8'), 'layer bytes');
  assert.equal(readFileSync(join(out, 'sbom.spdx.json'), 'utf8'), '{"spdxVersion":"SPDX-2.3"}');
  // The archive, OCI blobs and disk images are links to the cache's blobs; the rest are copies.
  assert.equal(
    statSync(join(out, 'image.oci.tar')).ino,
    statSync(cache.blobs.path(`sha256:${sha('archive bytes')}`)).ino,
  );
  assert.equal(readFileSync(join(out, 'disk.qcow2'), 'utf8'), 'disk bytes');
  assert.equal(statSync(join(out, 'disk.qcow2')).ino, statSync(cache.blobs.path(`sha256:${sha('disk bytes')}`)).ino);
  assert.notEqual(
    statSync(join(out, 'sbom.spdx.json')).ino,
    statSync(cache.blobs.path(`sha256:${sha('{"spdxVersion":"SPDX-2.3"}')}`)).ino,
  );
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as OutputManifest;
  assert.equal(manifest.reused, true);
  assert.deepEqual(manifest.stages, {});
  assert.deepEqual(
    manifest.layers.map((l) => l.cached),
    [true],
  );
  // Again into the same directory (links onto themselves): no temp file is left behind.
  assert.ok(await noop(out));
  assert.deepEqual(readdirSync(out).sort(), ['disk.qcow2', 'image.oci.tar', 'manifest.json', 'oci', 'sbom.spdx.json']);
});

test('a recipe file touched but not changed still counts as unchanged', async () => {
  utimesSync(recipe(), new Date(), new Date(Date.now() + 5000));
  assert.ok(await noop());
});

test('a changed recipe or component, or a file that appeared where none was, means a real build', async () => {
  writeFileSync(component(), 'name: nginx\n# changed\n');
  assert.equal(await noop(), undefined);
  await build();
  writeFileSync(recipe(), 'name: web\ncomponents: [{ uri: nginx.yml }, { uri: not-there.yml }]\n');
  assert.equal(await noop(), undefined);
  await build();
  writeFileSync(absent(), 'name: new\n');
  assert.equal(await noop(), undefined);
  rmSync(absent());
});

test('a refreshed or stale base means a real build', async () => {
  base('b2');
  assert.equal(await noop(), undefined);
  await build();
  writeFileSync(join(baseDir(), 'b1', 'metadata.json'), JSON.stringify({ createdAt: new Date().toISOString() }));
  assert.equal(await noop(), undefined);
  await build();
  base('b1', 8); // older than the 7 days a base is used for
  assert.equal(await noop(), undefined);
});

test('an evicted layer, a damaged or a missing blob means a real build (which checks every digest)', async () => {
  rmSync(layerDir(), { recursive: true });
  assert.equal(await noop(), undefined);
  await build();
  // Damaged in place through an earlier output's link, same size: the blob's mtime moved.
  const out = join(dir, 'linked-out');
  assert.ok(await noop(out));
  writeFileSync(join(out, 'image.oci.tar'), 'ARCHIVE BYTES');
  assert.equal(await noop(), undefined);
  rmSync(cache.blobs.path(`sha256:${sha('archive bytes')}`), { force: true });
  await build();
  rmSync(cache.blobs.path(`sha256:${sha('layer bytes')}`));
  assert.equal(await noop(), undefined);
  assert.equal(existsSync(join(dir, 'never-written')), false);
});

test('a build whose inputs changed while it ran is not recorded', async () => {
  writeFileSync(component(), 'name: nginx\n# edited during the build\n');
  const saved = await saveNoopRecord({
    key: requestKey(['other']),
    cache,
    read: new Map([[component(), 'name: nginx\n']]),
    basesHome: join(dir, 'bases'),
    baseName: 'debian-12',
    lowerDirs: [join(baseDir(), 'b1', 'rootfs')],
    outputKey: 'o'.repeat(64),
  });
  assert.equal(saved, false);
});

test('at most NOOP_RECORDS_KEPT no-op records are kept, the most recently used ones', async () => {
  const noopDir = join(cache.root, 'noop');
  const t0 = Date.now() / 1000 - 3600;
  const fill = (count: number, from: number) =>
    Array.from({ length: count }, (_, i) => {
      const name = `${requestKey(['web.yml', { n: from + i }])}.json`;
      writeFileSync(join(noopDir, name), '{}');
      utimesSync(join(noopDir, name), t0 + from + i, t0 + from + i);
      return name;
    });
  const others = fill(NOOP_RECORDS_KEPT + 5, 0);
  // This request's record is the oldest, then a no-op rebuild uses it (and so touches it).
  utimesSync(join(noopDir, `${key}.json`), t0 - 100, t0 - 100);
  writeFileSync(join(noopDir, 'left.json.tmp-1'), '');
  utimesSync(join(noopDir, 'left.json.tmp-1'), t0, t0);
  assert.ok(await noop());
  await pruneNoopRecords(cache.root);
  assert.deepEqual(
    readdirSync(noopDir).sort(),
    [`${key}.json`, ...others.slice(-(NOOP_RECORDS_KEPT - 1))].sort(),
    'the record just used and the newest others; the stale temp file is gone',
  );
  // Every real build's record prunes the rest: the bound holds however many requests were built.
  fill(10, 100);
  await build();
  assert.equal(readdirSync(noopDir).length, NOOP_RECORDS_KEPT);
  assert.ok(await noop());
});
