/**
 * @module Reused outputs never touch the cache: the build log is not cached, restored files are
 * copies (appending to one leaves the cached blob as it was), and a damaged blob is found when the
 * record is reused (the record is dropped and the build makes its outputs afresh). Disk images are
 * shared with the cache (reflink or hard link), restored keeping their holes, and a write made
 * through a published disk never comes back from the cache.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  openSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { OutputManifest } from '../../src/artifacts/manifest.ts';
import { openLayerCache } from '../../src/cache/layer-cache.ts';
import type { LayerCache } from '../../src/cache/layer-cache.ts';
import { restoreOutputs, saveOutputs } from '../../src/engine/outputs/output-cache.ts';

let dir: string;
let cache: LayerCache;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-output-cache-'));
  cache = await openLayerCache({ root: join(dir, 'cache'), maxBytes: 2 ** 30 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A finished build's output directory: an artifact, an OCI blob, its log and manifest. */
function finishedBuild(name: string): { out: string; manifest: OutputManifest } {
  const out = join(dir, name);
  mkdirSync(join(out, 'oci/blobs/sha256'), { recursive: true });
  writeFileSync(join(out, 'rootfs.tar.zst'), 'rootfs bytes');
  writeFileSync(join(out, 'oci/blobs/sha256', sha('layer bytes')), 'layer bytes');
  writeFileSync(join(out, 'build.log'), `build of ${name} for account 111111111111 (job j-1)\n`);
  writeFileSync(join(out, 'manifest.json'), '{}');
  const manifest = {
    name,
    version: '1.0.0',
    kind: 'image',
    createdAt: new Date().toISOString(),
    parent: 'debian-12',
    artifacts: [{ path: 'rootfs.tar.zst', format: 'tar+zstd', sha256: sha('rootfs bytes'), sizeBytes: 12 }],
    layers: [],
    stages: {},
    tests: 'skipped',
  } satisfies OutputManifest;
  return { out, manifest };
}

test('a reused build gets copies of the cached files, keeps its own log, and never changes the cache', async () => {
  const first = finishedBuild('first');
  await saveOutputs(cache, 'key-1', first.out, first.manifest);
  // The first build's files are not the cache's: changing them later changes no blob.
  appendFileSync(join(first.out, 'rootfs.tar.zst'), ' changed after the build');

  const second = join(dir, 'second');
  mkdirSync(second);
  writeFileSync(join(second, 'build.log'), 'build of second started\n');
  const restored = await restoreOutputs(cache, 'key-1', second);
  assert.ok(restored, 'the record is reused');
  assert.equal(readFileSync(join(second, 'build.log'), 'utf8'), 'build of second started\n', 'its own log, untouched');
  assert.equal(readFileSync(join(second, 'rootfs.tar.zst'), 'utf8'), 'rootfs bytes');
  assert.equal(statSync(join(second, 'rootfs.tar.zst')).nlink, 1, 'a copy, not a link into the cache');
  appendFileSync(join(second, 'build.log'), 'more lines\n');
  appendFileSync(join(second, 'rootfs.tar.zst'), 'appended');
  assert.equal(readFileSync(cache.blobs.path(`sha256:${sha('rootfs bytes')}`), 'utf8'), 'rootfs bytes');

  const third = join(dir, 'third');
  assert.ok(await restoreOutputs(cache, 'key-1', third));
  assert.equal(readFileSync(join(third, 'rootfs.tar.zst'), 'utf8'), 'rootfs bytes');
});

test('a damaged cached blob is found on reuse: nothing is restored and the record is dropped', async () => {
  const build = finishedBuild('damaged');
  writeFileSync(join(build.out, 'rootfs.tar.zst'), 'other rootfs');
  build.manifest.artifacts[0]!.sha256 = sha('other rootfs');
  await saveOutputs(cache, 'key-2', build.out, build.manifest);
  appendFileSync(cache.blobs.path(`sha256:${sha('other rootfs')}`), 'corruption');
  const target = join(dir, 'after-damage');
  assert.equal(await restoreOutputs(cache, 'key-2', target), undefined);
  assert.throws(() => statSync(join(target, 'rootfs.tar.zst')), /ENOENT/);
  assert.throws(
    () => statSync(join(target, 'oci/blobs/sha256', sha('layer bytes'))),
    /ENOENT/,
    'files copied before the damaged one are removed',
  );
  assert.equal(await restoreOutputs(cache, 'key-2', target), undefined, 'the record is gone');
});

test('a blob rewritten with its size and times put back is still found: its ctime moved', async () => {
  const build = finishedBuild('same-size');
  writeFileSync(join(build.out, 'rootfs.tar.zst'), 'sized rootfs');
  build.manifest.artifacts[0]!.sha256 = sha('sized rootfs');
  await saveOutputs(cache, 'key-3', build.out, build.manifest);
  // Reused once: the copy is made without hashing, since the blob is as it was when stored.
  assert.ok(await restoreOutputs(cache, 'key-3', join(dir, 'fast-1')));
  const blob = cache.blobs.path(`sha256:${sha('sized rootfs')}`);
  const { atime, mtime } = statSync(blob);
  await new Promise((r) => setTimeout(r, 20));
  writeFileSync(blob, 'SIZED ROOTFS');
  utimesSync(blob, atime, mtime);
  assert.equal(await restoreOutputs(cache, 'key-3', join(dir, 'fast-2')), undefined, 'the damage is found');
});

test('the OCI archive is shared with the cache by hard link; a change made through the output is found on reuse', async () => {
  const build = finishedBuild('archive');
  writeFileSync(join(build.out, 'image.oci.tar'), 'archive bytes');
  build.manifest.artifacts.push({
    path: 'image.oci.tar',
    format: 'oci-archive',
    sha256: sha('archive bytes'),
    sizeBytes: 13,
  });
  await saveOutputs(cache, 'key-4', build.out, build.manifest);
  const blob = cache.blobs.path(`sha256:${sha('archive bytes')}`);
  assert.equal(statSync(join(build.out, 'image.oci.tar')).ino, statSync(blob).ino);
  assert.equal(statSync(join(build.out, 'rootfs.tar.zst')).nlink, 1, 'other artifacts stay copies');
  writeFileSync(join(build.out, 'image.oci.tar'), 'ARCHIVE BYTES');
  assert.equal(await restoreOutputs(cache, 'key-4', join(dir, 'after-archive-change')), undefined);
});

/** A finished disk build: one 1 MiB artifact of byte `n`, saved as the output record `big-n`; its digest. */
async function saveDiskBuild(cache: LayerCache, n: number): Promise<string> {
  const out = join(dir, `big-${n}`);
  mkdirSync(out, { recursive: true });
  const bytes = Buffer.alloc(2 ** 20, n);
  writeFileSync(join(out, 'disk.raw'), bytes);
  const digest = createHash('sha256').update(bytes).digest('hex');
  await saveOutputs(cache, `big-${n}`, out, {
    name: `big-${n}`,
    version: '1.0.0',
    kind: 'image',
    createdAt: new Date().toISOString(),
    parent: 'debian-12',
    artifacts: [{ path: 'disk.raw', format: 'raw', sha256: digest, sizeBytes: 2 ** 20 }],
    layers: [],
    stages: {},
    tests: 'skipped',
  });
  return digest;
}

test('output records stay within the cache limit: the newest is kept, older disk-sized ones go with their blobs', async () => {
  const root = join(dir, 'small-cache');
  const small = await openLayerCache({ root, maxBytes: 2.5 * 2 ** 20 });
  try {
    const digests: string[] = [];
    for (const n of [1, 2, 3]) {
      digests.push(await saveDiskBuild(small, n));
      // Distinct modification times: records are ordered by them.
      utimesSync(join(root, 'outputs', `big-${n}.json`), n * 1000, n * 1000);
    }
    // A fourth, newest record makes the prune run with the three above ordered oldest first.
    const d4 = await saveDiskBuild(small, 4);
    const kept = (n: string) => {
      try {
        statSync(join(root, 'outputs', `${n}.json`));
        return true;
      } catch {
        return false;
      }
    };
    assert.deepEqual(
      ['big-1', 'big-2', 'big-3', 'big-4'].map(kept),
      [false, false, true, true],
      'two 1 MiB records fit a 2.5 MiB cache',
    );
    assert.ok(await small.blobs.has(`sha256:${d4}`));
    assert.ok(await small.blobs.has(`sha256:${digests[2]}`));
    assert.equal(await small.blobs.has(`sha256:${digests[0]}`), false, "a dropped record's blob is removed");
    assert.equal(await small.blobs.has(`sha256:${digests[1]}`), false);
  } finally {
    small.close();
  }
});

test('a disk image is shared with the cache, not copied; a write through the published disk is never restored; restores keep holes', async () => {
  const out = join(dir, 'disk-share');
  mkdirSync(out);
  const disk = join(out, 'disk.raw');
  // A sparse 64 MiB raw disk with 1 MiB of data in the middle.
  const data = Buffer.alloc(2 ** 20, 7);
  writeFileSync(disk, '');
  truncateSync(disk, 64 * 2 ** 20);
  const fd = openSync(disk, 'r+');
  writeSync(fd, data, 0, data.length, 32 * 2 ** 20);
  closeSync(fd);
  const whole = readFileSync(disk);
  const digest = createHash('sha256').update(whole).digest('hex');
  const manifest = {
    name: 'disk-share',
    version: '1.0.0',
    kind: 'image',
    createdAt: new Date().toISOString(),
    parent: 'debian-12',
    artifacts: [{ path: 'disk.raw', format: 'disk-raw', sha256: digest, sizeBytes: whole.length }],
    layers: [],
    stages: {},
    tests: 'skipped',
  } satisfies OutputManifest;
  await saveOutputs(cache, 'key-disk', out, manifest);
  const blob = cache.blobs.path(`sha256:${digest}`);
  const linked = statSync(blob).ino === statSync(disk).ino;
  // ext4 has no reflinks: a hard link. Either way no data was copied, and the holes stay holes.
  assert.ok(statSync(blob).blocks * 512 <= 4 * 2 ** 20, 'the blob keeps the holes');

  const restoredDir = join(dir, 'disk-restored');
  assert.ok(await restoreOutputs(cache, 'key-disk', restoredDir));
  const restored = join(restoredDir, 'disk.raw');
  assert.ok(readFileSync(restored).equals(whole));
  assert.equal(statSync(restored).nlink, 1, 'a restored disk is a file of its own');
  assert.ok(statSync(restored).blocks * 512 <= 4 * 2 ** 20, 'a restored disk keeps its holes');

  // The published disk is written (booted in place, say): the cache never hands out those bytes.
  const w = openSync(disk, 'r+');
  writeSync(w, Buffer.from('written after publishing'), 0, 24, 0);
  closeSync(w);
  const again = await restoreOutputs(cache, 'key-disk', join(dir, 'disk-after-write'));
  if (linked) assert.equal(again, undefined, 'the change is found on reuse: the record is dropped');
  else assert.ok(readFileSync(join(dir, 'disk-after-write', 'disk.raw')).equals(whole), 'a reflink is independent');
  assert.ok(readFileSync(restored).equals(whole), 'the earlier restored copy is untouched');
});

test('a torn or empty record (a crash while it was written) is a miss, not an error', async () => {
  const build = finishedBuild('torn');
  await saveOutputs(cache, 'key-torn', build.out, build.manifest);
  const records = join(cache.root, 'outputs');
  const file = readdirSync(records, { recursive: true })
    .map(String)
    .find((f) => f.endsWith('key-torn.json'));
  assert.ok(file, 'the record is a file of its own');
  const text = readFileSync(join(records, file), 'utf8');
  for (const damaged of [text.slice(0, text.length >> 1), '']) {
    writeFileSync(join(records, file), damaged);
    assert.equal(await restoreOutputs(cache, 'key-torn', join(dir, 'torn-out')), undefined);
  }
  // No temp file is left beside the records by the writes.
  assert.deepEqual(
    readdirSync(records).filter((f) => f.includes('.tmp-')),
    [],
  );
});
