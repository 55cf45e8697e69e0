/** @module Tests for the blob store and layer cache: hits/misses, LRU eviction order, pins, reopening, moves across file systems. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sha256Bytes, sha256File } from '../oci/digest.ts';
import type { LayerDescriptor } from '../oci/media-types.ts';
import { openBlobStore } from './blob-store.ts';
import { layerCacheKey } from './cache-key.ts';
import { openLayerCache } from './layer-cache.ts';

const MB = 1 << 20;
let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ingot-cache-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake component result: an upper dir with one file of `bytes`, and a "layer blob" of `bytes` random bytes. */
async function makeLayer(
  name: string,
  bytes = MB,
  base = tmp,
): Promise<{ diffDir: string; layerFile: string; layer: LayerDescriptor }> {
  const diffDir = join(base, `${name}-diff`);
  mkdirSync(diffDir);
  writeFileSync(join(diffDir, 'payload'), randomBytes(bytes));
  const layerFile = join(tmp, `${name}.layer`);
  writeFileSync(layerFile, randomBytes(bytes));
  const { digest, size } = await sha256File(layerFile);
  return {
    diffDir,
    layerFile,
    layer: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size, diffId: digest },
  };
}

const key = (n: number): string =>
  layerCacheKey({
    parentLayerDigest: 'sha256:base',
    componentDocument: `doc ${n}`,
    componentVersion: '1.0.0',
    compression: 'gzip',
  });

describe('blob store', () => {
  test('stores by digest, verifies expected digests, tolerates concurrent writers of one blob', async () => {
    const store = await openBlobStore(join(tmp, 'blobs-test'));
    const data = randomBytes(256 * 1024);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.putBytes(data)));
    assert.ok(results.every((r) => r.digest === sha256Bytes(data) && r.size === data.length));
    assert.deepEqual(readFileSync(store.path(sha256Bytes(data))), data);
    const file = join(tmp, 'blob-src');
    writeFileSync(file, 'hello');
    await assert.rejects(store.putFile(file, { expectedDigest: sha256Bytes('other') }), /digest mismatch/);
    const moved = await store.putFile(file, { expectedDigest: sha256Bytes('hello'), move: true });
    assert.equal(readFileSync(moved.path, 'utf8'), 'hello');
    assert.ok(!existsSync(file));
  });
});

describe('layer cache', () => {
  test('keys depend on every input but not on parameter key order', () => {
    const base = {
      parentLayerDigest: 'sha256:p',
      componentDocument: 'doc',
      componentVersion: '1.0.0',
      parameters: { a: 1, b: 'x' },
      compression: 'gzip',
    };
    assert.equal(layerCacheKey(base), layerCacheKey({ ...base, parameters: { b: 'x', a: 1 } }));
    for (const change of [
      { parentLayerDigest: 'sha256:q' },
      { componentDocument: 'doc2' },
      { componentVersion: '1.0.1' },
      { parameters: { a: 2, b: 'x' } },
      { compression: 'zstd' },
    ]) {
      assert.notEqual(layerCacheKey(base), layerCacheKey({ ...base, ...change }));
    }
    assert.match(layerCacheKey(base), /^[a-f0-9]{64}$/);
  });

  test('miss, put (moves in), hit, and the index survives reopening', async () => {
    const root = join(tmp, 'c1');
    const cache = await openLayerCache({ root, maxBytes: 100 * MB });
    assert.equal(await cache.lookup(key(1)), undefined);
    const input = await makeLayer('one');
    const entry = await cache.put(key(1), input);
    assert.ok(!existsSync(input.diffDir) && !existsSync(input.layerFile), 'inputs are moved, not copied');
    assert.ok(existsSync(join(entry.diffDir, 'payload')));
    assert.equal((await sha256File(entry.blobPath)).digest, input.layer.digest);
    assert.ok(entry.sizeBytes >= 2 * MB);
    cache.close();
    const reopened = await openLayerCache({ root, maxBytes: 100 * MB });
    const hit = await reopened.lookup(key(1));
    assert.deepEqual(hit?.layer, input.layer);
    assert.equal(reopened.totalBytes(), entry.sizeBytes);
    reopened.close();
  });

  test('evicts least recently used first, skipping pinned entries', async () => {
    const cache = await openLayerCache({ root: join(tmp, 'c2'), maxBytes: 7 * MB });
    for (const n of [1, 2, 3]) await cache.put(key(n), await makeLayer(`lru${n}`));
    mkdirSync(cache.extrasDir(key(3)), { recursive: true });
    writeFileSync(join(cache.extrasDir(key(3)), 'kept-beside'), 'x');
    cache.touch(key(1)); // order now (oldest first): 2, 3, 1
    const lease = await cache.acquire(key(2)); // pinned and touched: 3, 1, 2
    assert.ok(lease);
    await cache.put(key(4), await makeLayer('lru4'));
    assert.equal(await cache.lookup(key(3)), undefined, 'least recently used goes first');
    assert.ok(!existsSync(cache.extrasDir(key(3))), 'what was kept beside it goes with it');
    for (const n of [1, 2, 4]) assert.ok(await cache.lookup(key(n)), `entry ${n} kept`);
    cache.touch(key(1)); // LRU order: 2 (pinned), 4, 1
    const lease5 = await cache.putAndAcquire(key(5), await makeLayer('lru5'));
    lease5.release();
    assert.ok(await cache.lookup(key(2)), 'the pinned entry survives even as least recently used');
    assert.equal(await cache.lookup(key(4)), undefined);
    lease.release();
    assert.ok(cache.totalBytes() <= 7 * MB);
    await cache.put(key(6), await makeLayer('lru6'));
    assert.equal(await cache.lookup(key(2)), undefined, 'once released it can go');
    assert.ok(!existsSync(lease.entry.diffDir) && !existsSync(lease.entry.blobPath), 'evicted files are deleted');
    cache.close();
  });

  test('concurrent puts of one key keep one entry and discard the loser', async () => {
    const cache = await openLayerCache({ root: join(tmp, 'c4'), maxBytes: 100 * MB });
    const a = await makeLayer('same-a', 4096);
    const b = await makeLayer('same-b', 4096);
    writeFileSync(b.layerFile, readFileSync(a.layerFile));
    b.layer = a.layer;
    const [ea, eb] = await Promise.all([cache.put(key(9), a), cache.put(key(9), b)]);
    assert.equal(ea.diffDir, eb.diffDir);
    assert.ok(!existsSync(a.diffDir) && !existsSync(b.diffDir) && !existsSync(a.layerFile) && !existsSync(b.layerFile));
    assert.equal(cache.totalBytes(), ea.sizeBytes);
    assert.deepEqual(readdirSync(join(tmp, 'c4', 'layers')), [key(9)]);
    cache.close();
  });

  test('moves an upper dir from another file system keeping whiteouts and opaque xattrs', async (t) => {
    if (!existsSync('/dev/shm') || process.getuid?.() !== 0)
      return t.skip('needs root and /dev/shm (a second file system)');
    const shm = mkdtempSync('/dev/shm/ingot-cache-');
    try {
      const input = await makeLayer('xdev', 4096, shm);
      execFileSync('mknod', [join(input.diffDir, 'deleted'), 'c', '0', '0']);
      mkdirSync(join(input.diffDir, 'opaque'));
      execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(input.diffDir, 'opaque')]);
      const cache = await openLayerCache({ root: join(tmp, 'c3'), maxBytes: 100 * MB });
      const entry = await cache.put(key(1), input);
      assert.ok(lstatSync(join(entry.diffDir, 'deleted')).isCharacterDevice());
      const xattr = execFileSync(
        'getfattr',
        ['--absolute-names', '-n', 'trusted.overlay.opaque', join(entry.diffDir, 'opaque')],
        { encoding: 'utf8' },
      );
      assert.match(xattr, /trusted\.overlay\.opaque="y"/);
      assert.ok(!existsSync(input.diffDir));
      cache.close();
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
  });
});
