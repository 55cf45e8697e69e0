/**
 * @module The shared layer cache (INGOT_LAYER_CACHE_S3) between two hosts (two INGOT_HOMEs) and one
 * bucket of s3rver, the S3 stand-in: host B takes host A's layers instead of running the
 * components, with the same digests; a tampered blob is a miss (rebuilt); another account never
 * gets them; S3 down leaves builds as they were.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openLayerCache, type LayerCache } from '../../src/cache/layer-cache.ts';
import { sha256Bytes } from '../../src/oci/digest.ts';
import { formatEvent, type BuildEvent } from '../../src/engine/events.ts';
import { runBuild } from '../../src/engine/build.ts';
import type { BuildRequest } from '../../src/engine/request.ts';
import { loadRecipeFile } from '../../src/recipe-file/load.ts';
import { S3Bucket, type S3Endpoint } from '../../src/s3/index.ts';
import { runIngot } from '../helpers/cli.ts';
import { startS3Server, type S3Server } from '../helpers/s3-server.ts';
import { tarRootfs, tinyRootfs } from '../helpers/tiny-rootfs.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs)' : false;
const ACCOUNT = '111111111111';
const OTHER = '222222222222';
const EPOCH = 1_700_000_000;
let dir: string;
let s3: S3Server;
let bucket: S3Bucket;
let request: BuildRequest;
const caches: LayerCache[] = [];

const steps = (commands: string[]) =>
  `    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n${commands.map((c) => `            - ${JSON.stringify(c)}`).join('\n')}\n`;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'ingot-shared-layers-'));
  tinyRootfs(join(dir, 'root'), { dpkg: false });
  tarRootfs(join(dir, 'root'), join(dir, 'tiny.tar.zst'));
  // The writer removes a parent file (a whiteout in its layer) and leaves /tmp state the reader needs.
  writeFileSync(
    join(dir, 'writer.yml'),
    `name: writer\nschemaVersion: 1.0\nphases:\n  - name: build\n${steps(['echo made > /etc/made.txt', 'rm /etc/golden.txt', 'echo from-writer > /tmp/state.txt'])}`,
  );
  writeFileSync(
    join(dir, 'reader.yml'),
    `name: reader\nschemaVersion: 1.0\nphases:\n  - name: build\n${steps(['read -r v < /tmp/state.txt && test "$v" = from-writer', 'echo "$v" > /etc/seen.txt'])}`,
  );
  writeFileSync(
    join(dir, 'recipe.yml'),
    `name: shared-layers\nversion: 1.0.0\nparentImage: ${join(dir, 'tiny.tar.zst')}\n` +
      `dockerfileTemplateData: "FROM {{{ imagebuilder:parentImage }}}\\n{{{ imagebuilder:components }}}\\n"\n` +
      'components:\n  - uri: writer.yml\n  - uri: reader.yml\n',
  );
  request = await loadRecipeFile(join(dir, 'recipe.yml'), { runTests: false });
  s3 = await startS3Server();
  await s3.createBucket('layers');
  bucket = new S3Bucket(s3.endpoint, 'layers');
});
after(async () => {
  if (skip) return;
  for (const c of caches) c.close();
  bucket.close();
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A host: its own INGOT_HOME and layer cache, sharing through the bucket at `endpoint`. */
async function host(name: string, endpoint: S3Endpoint = s3.endpoint): Promise<{ home: string; cache: LayerCache }> {
  const home = join(dir, name);
  const cache = await openLayerCache({
    root: join(home, 'cache'),
    maxBytes: 2 ** 30,
    shared: { endpoint, bucket: 'layers', prefix: 'farm' },
  });
  caches.push(cache);
  return { home, cache };
}

/** The layer digests of the OCI image in a build's `image.oci.tar`. */
function imageLayers(out: string): string[] {
  const archive = join(dir, out, 'image.oci.tar');
  const read = (member: string) =>
    JSON.parse(execFileSync('tar', ['-xOf', archive, `./${member}`], { encoding: 'utf8' }));
  const image = read('index.json').manifests.find(
    (m: { annotations?: object }) => m.annotations?.['org.opencontainers.image.ref.name' as never] === '1.0.0',
  );
  const manifest = read(`blobs/sha256/${image.digest.slice('sha256:'.length)}`);
  return manifest.layers.map((l: { digest: string }) => l.digest);
}

async function build(h: { home: string; cache: LayerCache }, account: string, out: string) {
  const events: BuildEvent[] = [];
  const result = await runBuild(request, {
    home: h.home,
    outputDir: join(dir, out),
    cache: h.cache,
    cacheScope: account,
    sourceDateEpoch: EPOCH,
    onEvent: (e) => events.push(e),
  });
  const ran = events
    .filter((e) => e.type === 'component' && e.status === 'start')
    .map((e) => (e as { name: string }).name);
  return { manifest: result.manifest, ran, log: events.map(formatEvent).join('\n') };
}

test("host B takes host A's layers from the bucket; tampered blobs are rebuilt; other accounts and S3 down build alone", {
  skip,
}, async () => {
  const a = await build(await host('host-a'), ACCOUNT, 'out-a');
  assert.deepEqual(a.ran, ['writer', 'reader']);
  const indexes = await bucket.list('farm/index/');
  assert.equal(indexes.length, 2, `two index objects: ${indexes.join(', ')}`);
  assert.ok(
    indexes.every((k) => k.startsWith(`farm/index/${ACCOUNT}/`)),
    'index objects are under the account',
  );
  assert.ok((await bucket.list('farm/blobs/sha256/')).length >= 3, 'two layers and the /tmp the writer left');

  const hostB = await host('host-b');
  const b = await build(hostB, ACCOUNT, 'out-b');
  assert.deepEqual(b.ran, [], `no component ran on host B:\n${b.log}`);
  assert.match(b.log, /\[writer\] build: cached sha256:[0-9a-f]{12} from the shared layer cache s3:\/\/layers\/farm/);
  assert.match(b.log, /\[reader\] build: cached .* from the shared layer cache/);
  assert.deepEqual(
    b.manifest.layers.map((l) => l.digest),
    a.manifest.layers.map((l) => l.digest),
  );
  // The image's layers, digest for digest (its config's `created` and the SBOMs' ids differ from build to build).
  assert.deepEqual(imageLayers('out-b'), imageLayers('out-a'));
  assert.equal(imageLayers('out-a').length, 3, 'the base layer and two component layers');

  const other = await build(hostB, OTHER, 'out-other');
  assert.deepEqual(other.ran, ['writer', 'reader'], 'another account gets none of them');
  assert.doesNotMatch(other.log, /shared layer cache s3/);

  // The reader's blob is replaced in the bucket: host C takes the writer (and the /tmp it left) and rebuilds the reader.
  const readerBlob = `farm/blobs/sha256/${a.manifest.layers[1]!.digest.slice('sha256:'.length)}`;
  await bucket.putBytes(readerBlob, 'not the layer');
  const c = await build(await host('host-c'), ACCOUNT, 'out-c');
  assert.deepEqual(c.ran, ['reader'], c.log);
  assert.match(c.log, /s3:\/\/layers\/farm\/blobs\/sha256\/[0-9a-f]{64} is not the blob its index names/);
  assert.deepEqual(
    c.manifest.layers.map((l) => l.digest),
    a.manifest.layers.map((l) => l.digest),
  );
  assert.match(c.log, /replacing 1 bad blob/);
  const repaired = Buffer.from(await bucket.getBytes(readerBlob));
  assert.equal(sha256Bytes(repaired), a.manifest.layers[1]!.digest, 'the rebuilt layer replaced the bad blob');

  // S3 unreachable (a port nothing listens on): the build goes on without it, saying so.
  const down = await build(await host('host-d', { ...s3.endpoint, endpoint: 'http://127.0.0.1:9' }), ACCOUNT, 'out-d');
  assert.deepEqual(down.ran, ['writer', 'reader']);
  assert.match(down.log, /shared layer cache s3:\/\/layers\/farm: fetching layer [0-9a-f]{12} failed/);
  assert.deepEqual(
    down.manifest.layers.map((l) => l.digest),
    a.manifest.layers.map((l) => l.digest),
  );
});

test('ingot build takes INGOT_LAYER_CACHE_S3 with INGOT_S3_ENDPOINT and AWS_*: layers of builds without an account go under index/unscoped/', {
  skip,
}, async () => {
  const env = {
    INGOT_LAYER_CACHE_S3: 's3://layers/cli',
    INGOT_S3_ENDPOINT: s3.endpoint.endpoint,
    AWS_ACCESS_KEY_ID: s3.endpoint.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.endpoint.secretAccessKey,
  };
  const first = await runIngot(['build', join(dir, 'recipe.yml'), '--output', join(dir, 'cli-1')], {
    ...env,
    INGOT_HOME: join(dir, 'cli-host-1'),
  });
  assert.equal(first.code, 0, first.stderr);
  const indexes = await bucket.list('cli/index/');
  assert.equal(indexes.length, 2, indexes.join(', '));
  assert.ok(indexes.every((k) => k.startsWith('cli/index/unscoped/')));
  const second = await runIngot(['build', join(dir, 'recipe.yml'), '--output', join(dir, 'cli-2')], {
    ...env,
    INGOT_HOME: join(dir, 'cli-host-2'),
  });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /\[reader\] build: cached .* from the shared layer cache s3:\/\/layers\/cli/);
});
