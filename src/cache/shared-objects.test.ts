/** @module The shared layer cache's object names and index objects: account folders, and index objects that cannot be used. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobObjectKey, indexObjectKey, parseIndexObject } from './shared-objects.ts';

const KEY = 'a'.repeat(64);
const DIGEST = `sha256:${'b'.repeat(64)}`;
const good = {
  version: 1,
  key: KEY,
  layer: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: DIGEST, size: 10, diffId: DIGEST },
  createdAt: '2026-01-01T00:00:00Z',
};

test('index objects are per account (unscoped without one); blobs by digest only', () => {
  assert.equal(indexObjectKey('farm/eu', '111111111111', KEY), `farm/eu/index/111111111111/${KEY}.json`);
  assert.equal(indexObjectKey('', undefined, KEY), `index/unscoped/${KEY}.json`);
  assert.equal(indexObjectKey('p', '../x', KEY), `p/index/..%2Fx/${KEY}.json`);
  assert.throws(() => indexObjectKey('p', '1', '../etc'), /invalid layer cache key/);
  assert.equal(blobObjectKey('p', DIGEST), `p/blobs/sha256/${'b'.repeat(64)}`);
});

test('an index object is used only when whole and about this key', () => {
  assert.deepEqual(parseIndexObject(JSON.stringify(good), KEY), good);
  assert.equal(parseIndexObject('{', KEY), 'not JSON');
  assert.match(String(parseIndexObject(JSON.stringify(good), 'c'.repeat(64))), /another key/);
  assert.match(String(parseIndexObject(JSON.stringify({ ...good, version: 2 }), KEY)), /unknown version 2/);
  for (const layer of [
    { ...good.layer, digest: 'sha256:short' },
    { ...good.layer, mediaType: 'text/html' },
    { ...good.layer, size: -1 },
  ])
    assert.equal(typeof parseIndexObject(JSON.stringify({ ...good, layer }), KEY), 'string', JSON.stringify(layer));
  assert.match(String(parseIndexObject(JSON.stringify({ ...good, extras: { digest: 'x', size: 1 } }), KEY)), /extras/);
});
