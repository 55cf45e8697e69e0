/** @module Tests for ParallelGzip: valid multi-member gzip (zlib and the gzip tool read it), deterministic cut points, empty input. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ParallelGzip } from './parallel-gzip.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function compress(parts: Buffer[], opts: ConstructorParameters<typeof ParallelGzip>[0]): Promise<Buffer> {
  return buffer(Readable.from(parts).pipe(new ParallelGzip(opts)));
}

function sample(): Buffer {
  // Compressible text with random runs, a few chunks long.
  const parts: Buffer[] = [];
  for (let i = 0; i < 400; i++) parts.push(Buffer.from(`line ${i} ${'x'.repeat(i % 97)}\n`), randomBytes(i % 50));
  return Buffer.concat(parts);
}

test('the members form one gzip stream that zlib and gzip(1) read back', async () => {
  const input = sample();
  const out = await compress([input], { chunkBytes: 4096, concurrency: 3 });
  assert.ok(out.length < input.length);
  assert.equal(sha(gunzipSync(out)), sha(input));
  assert.equal(sha(execFileSync('gzip', ['-dc'], { input: out, maxBuffer: 64 << 20 })), sha(input));
  execFileSync('gzip', ['-t'], { input: out });
});

test('the output depends only on the bytes, not on how they arrive or how many run at once', async () => {
  const input = sample();
  const whole = await compress([input], { chunkBytes: 4096, concurrency: 1 });
  const pieces: Buffer[] = [];
  for (let at = 0; at < input.length; at += 1000) pieces.push(input.subarray(at, at + 1000));
  assert.equal(sha(await compress(pieces, { chunkBytes: 4096, concurrency: 5 })), sha(whole));
});

test('an empty input is an empty gzip stream', async () => {
  const out = await compress([], {});
  assert.equal(gunzipSync(out).length, 0);
});
