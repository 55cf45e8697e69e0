/**
 * @module The shared layer cache never holds a build up for long: against an S3 endpoint that accepts
 * connections and never answers, a lookup and an upload end at their timeouts, and the bucket is then
 * left alone (no request at all) for the back-off.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { sha256File } from '../oci/digest.ts';
import { openLayerCache } from './layer-cache.ts';
import { SharedLayers } from './shared-layers.ts';

let dir = '';
let connections = 0;
const sockets: Socket[] = [];
const silent = createServer((s) => {
  connections++;
  sockets.push(s);
});
let endpoint = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-shared-timeouts-'));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('a silent S3 endpoint: lookups and uploads end at their timeouts, then the bucket is left alone', async () => {
  const cache = await openLayerCache({ root: join(dir, 'cache'), maxBytes: 2 ** 30 });
  const shared = new SharedLayers({
    endpoint: { endpoint, accessKeyId: 'k', secretAccessKey: 's' },
    bucket: 'layers',
    prefix: 'p',
    indexTimeoutMs: 300,
    transferTimeoutMs: 300,
    backoffMs: 60_000,
  });
  const lines: string[] = [];
  const key = 'c'.repeat(64);
  let started = performance.now();
  assert.equal(await shared.fetch(cache, key, '111111111111', { log: (l) => lines.push(l) }), undefined);
  assert.ok(
    performance.now() - started < 8000,
    `the lookup gave up at its timeout, the server never answering (${performance.now() - started} ms)`,
  );
  assert.match(
    lines.join('\n'),
    /shared layer cache s3:\/\/layers\/p: fetching layer cccccccccccc failed .*not used for 60 s/,
  );
  // The lookup's connection may be accepted (and counted) only after it timed out, on a busy machine:
  // let this process's pending accept events run before taking the count.
  const waitFrom = performance.now();
  while (connections === 0 && performance.now() - waitFrom < 5000) await delay(20);
  await delay(100);
  const seen = connections;

  const logged = lines.length;
  assert.equal(await shared.fetch(cache, key, '111111111111', { log: (l) => lines.push(l) }), undefined);
  const diffDir = join(dir, 'diff');
  mkdirSync(diffDir);
  const layerFile = join(dir, 'layer');
  writeFileSync(layerFile, randomBytes(1024));
  const { digest, size } = await sha256File(layerFile);
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size, diffId: digest };
  await cache.put(key, { diffDir, layerFile, layer });
  await shared.publish(cache, key, '111111111111', (l) => lines.push(l));
  assert.equal(connections, seen, 'no request at all during the back-off');
  assert.equal(lines.length, logged, 'nothing tried, nothing failed');

  const fresh = new SharedLayers({
    endpoint: { endpoint, accessKeyId: 'k', secretAccessKey: 's' },
    bucket: 'layers',
    prefix: 'p',
    transferTimeoutMs: 300,
  });
  started = performance.now();
  shared.close();
  await fresh.publish(cache, key, '111111111111', (l) => lines.push(l));
  assert.ok(performance.now() - started < 8000, 'the upload gave up at its timeout (the server never answers)');
  assert.match(lines.at(-1) ?? '', /uploading layer cccccccccccc failed/);
  fresh.close();
  cache.close();
});
