/**
 * @module A 9 GiB sparse raw disk distributes to an S3 site (s3rver, a stand-in S3 server, see
 * test/helpers/s3-server.ts) in a process whose memory stays bounded: peak RSS under 300 MB while
 * every byte goes up as a streamed multipart upload. The object is then read back by ranged GETs and
 * compared with the disk by sha256.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeManifest, type OutputManifest } from '../../src/artifacts/manifest.ts';
import type { DistributeInput } from '../../src/distribution/distribute.ts';
import { imageIdOf } from '../../src/distribution/distribute.ts';
import { readObject, S3Bucket } from '../../src/s3/index.ts';
import { startS3Server } from '../helpers/s3-server.ts';

const GiB = 1024 ** 3;
const SIZE = 9 * GiB;
const RSS_LIMIT = 300 * 1000 * 1000;
// s3rver keeps the parts and then the whole object on disk: up to twice the disk at once.
const free = (() => {
  const s = statfsSync(tmpdir());
  return s.bavail * s.bsize;
})();
const skip = free < 2 * SIZE + 2 * GiB ? `needs ${Math.ceil((2 * SIZE) / GiB) + 2} GiB free in ${tmpdir()}` : false;

const rssKbOf = (pid: number): number => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};

async function sha256Of(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const c of chunks) hash.update(c);
  return hash.digest('hex');
}

test('a 9 GiB sparse raw disk distributes to an S3 site with peak RSS under 300 MB', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-big-disk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startS3Server();
  t.after(() => server.stop());
  await server.createBucket('big-sites');

  // Sparse, but not all zeros: random blocks at the start, in the middle (unaligned) and at the end.
  const disk = await open(join(dir, 'disk.raw'), 'w');
  await disk.truncate(SIZE);
  for (const at of [0, SIZE / 2 + 12345, SIZE - 1024 * 1024])
    await disk.write(randomBytes(1024 * 1024), 0, 1024 * 1024, at);
  await disk.close();
  const sha256 = await sha256Of(createReadStream(join(dir, 'disk.raw'), { highWaterMark: 8 * 1024 * 1024 }));
  const manifest: OutputManifest = {
    name: 'big-disk',
    version: '1.0.0',
    kind: 'image',
    createdAt: new Date().toISOString(),
    parent: 'debian-12',
    artifacts: [{ path: 'disk.raw', format: 'raw', sha256, sizeBytes: SIZE }],
    layers: [],
    stages: {},
    tests: 'skipped',
  };
  await writeManifest(dir, manifest);
  const s3 = { ...server.endpoint, bucket: 'big-sites', prefix: 'sites' };
  const arn = 'arn:aws:imagebuilder:us-east-1:123456789012:image/big-disk/1.0.0/1';
  const input: DistributeInput = {
    home: join(dir, 'home'),
    config: { sites: { 'eu-central-1': { s3 } } },
    image: { arn, name: 'big-disk', version: '1.0.0/1', type: 'AMI', dateCreated: new Date().toISOString() },
    distributions: [{ region: 'eu-central-1' }],
    outputDir: dir,
    manifest,
    account: '123456789012',
    region: 'us-east-1',
  };

  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '../helpers/distribute-child.ts'), JSON.stringify(input)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let sampledKb = 0;
  const sampler = setInterval(() => (sampledKb = Math.max(sampledKb, rssKbOf(child.pid!))), 200);
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  let progress = '';
  child.stderr!.on('data', (d: Buffer) => (progress += d.toString()));
  const code = await new Promise((r) => child.once('exit', r));
  clearInterval(sampler);
  assert.equal(code, 0, `${stdout}\n${progress}`);
  const lines = progress.split('\n').filter((l) => l.startsWith('distribution to eu-central-1: disk.raw: '));
  assert.equal(lines.length, 10, progress);
  assert.equal(lines.at(-1), 'distribution to eu-central-1: disk.raw: 9216 of 9216 MiB copied');
  const result = JSON.parse(stdout) as {
    outputResources: { amis: { description: string }[] };
    ms: number;
    vmHwmKb: number;
  };
  t.diagnostic(
    `distribution of 9 GiB: ${(result.ms / 1000).toFixed(1)} s, peak RSS ${(result.vmHwmKb / 1024).toFixed(0)} MiB (VmHWM; sampled ${(sampledKb / 1024).toFixed(0)} MiB)`,
  );
  assert.ok(result.vmHwmKb * 1024 < RSS_LIMIT, `peak RSS ${result.vmHwmKb} kB`);
  assert.ok(sampledKb * 1024 < RSS_LIMIT, `sampled RSS ${sampledKb} kB`);
  assert.match(result.outputResources.amis[0]!.description, new RegExp(`s3://big-sites/sites/.*${imageIdOf(arn)}/`));

  const bucket = new S3Bucket(s3, 'big-sites');
  t.after(() => bucket.close());
  // Found by listing, whatever the site's key layout (per account, per region) is.
  const keys = await bucket.list('sites/');
  const indexKey = keys.find((k) => k.endsWith(`${imageIdOf(arn)}/index.json`));
  const blobKey = keys.find((k) => k.endsWith(`/blobs/sha256/${sha256}`));
  assert.ok(indexKey && blobKey, keys.join('\n'));
  const index = JSON.parse(await bucket.getText(indexKey)) as { files: Record<string, string> };
  assert.equal(index.files['disk.raw'], sha256);
  assert.equal((await bucket.head(blobKey))?.size, SIZE);
  const started = Date.now();
  let ranges = 0;
  const back = await sha256Of(readObject(bucket, blobKey, { rangeSize: 64 * 1024 * 1024, onProgress: () => ranges++ }));
  t.diagnostic(`read back by ${ranges} ranged GETs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(ranges, SIZE / (64 * 1024 * 1024));
  assert.equal(back, sha256, 'the object read back by ranged GETs has the disk bytes');
});
