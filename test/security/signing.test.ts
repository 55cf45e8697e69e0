/**
 * @module Signing: SHA256SUMS + detached ECDSA signature over an output directory, cosign-style signatures
 * of its OCI image, and `ingot verify` accepting the signed output and rejecting tampered copies.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, cpSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildImageConfig } from '../../src/oci/image/config.ts';
import { writeOciLayout } from '../../src/oci/image/layout.ts';
import { writeLayer } from '../../src/oci/layer/write-layer.ts';
import { COSIGN, signatureTag, type SimpleSigningPayload } from '../../src/signing/cosign.ts';
import { generateSigningKey, signingKeyPath } from '../../src/signing/keys.ts';
import { signOutputDir } from '../../src/signing/sign-output.ts';
import { toolMissing } from './helpers.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
let root = '';
let out = '';
let keys = { privateKeyPath: '', publicKeyPath: '' };
let otherKeys = { privateKeyPath: '', publicKeyPath: '' };
let imageDigest = '';

function verify(target: string, key = keys.publicKeyPath): { code: number; stdout: string } {
  const r = spawnSync(process.execPath, [MAIN, 'verify', target, '--key', key], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout + r.stderr };
}

/** A copy of the signed output to tamper with. */
function copyOut(name: string): string {
  const dir = join(root, name);
  cpSync(out, dir, { recursive: true });
  return dir;
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'ingot-signing-'));
  keys = await generateSigningKey(join(root, 'keys'));
  otherKeys = await generateSigningKey(join(root, 'other-keys'));
  out = join(root, 'out');
  mkdirSync(join(root, 'tree/etc'), { recursive: true });
  writeFileSync(join(root, 'tree/etc/os-release'), 'ID=debian\n');
  const layer = await writeLayer({
    sourceDir: join(root, 'tree'),
    kind: 'full-rootfs',
    compression: 'gzip',
    outFile: join(root, 'layer.tar.gz'),
  });
  const config = buildImageConfig({
    layers: [{ diffId: layer.diffId, createdBy: 'test' }],
    created: '2026-01-01T00:00:00Z',
  });
  imageDigest = (
    await writeOciLayout({
      dir: join(out, 'oci'),
      tag: '1.0.0-1',
      config,
      layers: [{ descriptor: layer, file: join(root, 'layer.tar.gz') }],
    })
  ).manifest.digest;
  const disk = randomBytes(64 * 1024);
  writeFileSync(join(out, 'disk.raw'), disk);
  const { createHash } = await import('node:crypto');
  writeFileSync(
    join(out, 'manifest.json'),
    JSON.stringify({
      artifacts: [
        {
          path: 'disk.raw',
          format: 'raw',
          sha256: createHash('sha256').update(disk).digest('hex'),
          sizeBytes: disk.length,
        },
      ],
    }),
  );
  await signOutputDir({ outputDir: out, keyPath: keys.privateKeyPath, dockerReference: 'registry.example/ingot/test' });
});

after(() => rmSync(root, { recursive: true, force: true }));

test('keys are P-256 PEM files; the private one is 0600; the path comes from --key or INGOT_SIGNING_KEY', () => {
  assert.match(readFileSync(keys.privateKeyPath, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  assert.match(readFileSync(keys.publicKeyPath, 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
  assert.equal(statSync(keys.privateKeyPath).mode & 0o777, 0o600);
  assert.equal(signingKeyPath('/a', { INGOT_SIGNING_KEY: '/b' }), '/a');
  assert.equal(signingKeyPath(undefined, { INGOT_SIGNING_KEY: '/b' }), '/b');
  assert.equal(signingKeyPath(undefined, {}), undefined);
});

test('SHA256SUMS lists every file (sha256sum -c agrees) and its signature verifies with openssl', (t) => {
  const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
  assert.match(sums, /^[a-f0-9]{64} {2}disk\.raw$/m);
  assert.match(sums, /^[a-f0-9]{64} {2}oci\/index\.json$/m);
  execFileSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out });
  if (toolMissing('openssl', 'apt-get install openssl')) return t.skip('openssl is not installed');
  writeFileSync(join(root, 'sig.der'), Buffer.from(readFileSync(join(out, 'SHA256SUMS.sig'), 'utf8'), 'base64'));
  const r = execFileSync(
    'openssl',
    ['dgst', '-sha256', '-verify', keys.publicKeyPath, '-signature', join(root, 'sig.der'), join(out, 'SHA256SUMS')],
    { encoding: 'utf8' },
  );
  assert.match(r, /Verified OK/);
});

test('the OCI image carries a cosign simple-signing signature under sha256-<hex>.sig', (t) => {
  const index = JSON.parse(readFileSync(join(out, 'oci/index.json'), 'utf8')) as {
    manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
  };
  const sig = index.manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === signatureTag(imageDigest),
  );
  assert.ok(sig, 'signature tag in index.json');
  const manifest = JSON.parse(readFileSync(join(out, 'oci/blobs/sha256', sig.digest.slice(7)), 'utf8')) as {
    layers: Array<{ mediaType: string; digest: string; annotations: Record<string, string> }>;
  };
  const layer = manifest.layers[0]!;
  assert.equal(layer.mediaType, COSIGN.payloadMediaType);
  assert.match(layer.annotations[COSIGN.signatureAnnotation]!, /^[A-Za-z0-9+/]+=*$/);
  const payload = JSON.parse(
    readFileSync(join(out, 'oci/blobs/sha256', layer.digest.slice(7)), 'utf8'),
  ) as SimpleSigningPayload;
  assert.deepEqual(payload, {
    critical: {
      identity: { 'docker-reference': 'registry.example/ingot/test' },
      image: { 'docker-manifest-digest': imageDigest },
      type: 'cosign container image signature',
    },
    optional: {},
  });
  const skopeo = toolMissing('skopeo', 'scripts/install-system-deps.sh');
  if (skopeo) return t.skip(skopeo);
  const inspected = JSON.parse(
    execFileSync('skopeo', ['inspect', '--raw', `oci:${join(out, 'oci')}:${signatureTag(imageDigest)}`], {
      encoding: 'utf8',
    }),
  ) as { layers: unknown[] };
  assert.equal(inspected.layers.length, 1);
  assert.equal(
    JSON.parse(execFileSync('skopeo', ['inspect', `oci:${join(out, 'oci')}:1.0.0-1`], { encoding: 'utf8' })).Digest,
    imageDigest,
  );
});

test('ingot verify accepts the signed output directory and its OCI layout', () => {
  const r = verify(out);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /verified: \d+ checks passed/);
  const oci = verify(join(out, 'oci'));
  assert.equal(oci.code, 0, oci.stdout);
});

test('ingot verify reads an oci-archive too', async () => {
  const { writeOciArchive } = await import('../../src/oci/image/archive.ts');
  const archive = join(root, 'image.oci.tar');
  await writeOciArchive(join(out, 'oci'), archive);
  const r = verify(archive);
  assert.equal(r.code, 0, r.stdout);
  assert.equal(verify(archive, otherKeys.publicKeyPath).code, 1);
});

test('ingot verify rejects a changed artifact byte', () => {
  const dir = copyOut('flipped');
  const disk = readFileSync(join(dir, 'disk.raw'));
  disk[100] = disk[100]! ^ 0xff;
  writeFileSync(join(dir, 'disk.raw'), disk);
  const r = verify(dir);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /disk\.raw: sha256 [a-f0-9]+ does not match SHA256SUMS/);
});

test('ingot verify rejects a changed manifest.json, a changed SHA256SUMS and an added file', () => {
  const manifest = copyOut('manifest');
  appendFileSync(join(manifest, 'manifest.json'), ' ');
  assert.match(verify(manifest).stdout, /FAILED +manifest\.json: sha256/);
  assert.equal(verify(manifest).code, 1);
  const sums = copyOut('sums');
  const text = readFileSync(join(sums, 'SHA256SUMS'), 'utf8')
    .split('\n')
    .filter((l) => !l.endsWith('disk.raw'))
    .join('\n');
  writeFileSync(join(sums, 'SHA256SUMS'), text);
  const r = verify(sums);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /SHA256SUMS\.sig does not verify/);
  assert.match(r.stdout, /disk\.raw: not listed in SHA256SUMS/);
  const added = copyOut('added');
  writeFileSync(join(added, 'extra.bin'), 'x');
  assert.match(verify(added).stdout, /extra\.bin: not listed/);
});

test('ingot verify rejects the wrong key, a tampered OCI blob and an image signed by another key', async () => {
  const wrong = verify(out, otherKeys.publicKeyPath);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stdout, /SHA256SUMS\.sig does not verify/);
  assert.match(wrong.stdout, /cosign signature .* does not verify/);
  const blob = copyOut('blob');
  const index = JSON.parse(readFileSync(join(blob, 'oci/index.json'), 'utf8')) as {
    manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
  };
  const image = JSON.parse(readFileSync(join(blob, 'oci/blobs/sha256', imageDigest.slice(7)), 'utf8')) as {
    layers: Array<{ digest: string }>;
  };
  const layerPath = join(blob, 'oci/blobs/sha256', image.layers[0]!.digest.slice(7));
  const bytes = readFileSync(layerPath);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
  writeFileSync(layerPath, bytes);
  const r = verify(join(blob, 'oci'));
  assert.equal(r.code, 1);
  assert.match(r.stdout, /does not match its digest/);
  assert.ok(index.manifests.length >= 2);
  const resigned = copyOut('resigned');
  await signOutputDir({
    outputDir: resigned,
    keyPath: otherKeys.privateKeyPath,
    dockerReference: 'registry.example/ingot/test',
  });
  assert.equal(verify(join(resigned, 'oci')).code, 1);
  assert.equal(verify(join(resigned, 'oci'), otherKeys.publicKeyPath).code, 0);
});

test('ingot verify names a missing key and a directory that was never signed', () => {
  const r = spawnSync(process.execPath, [MAIN, 'verify', out], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no public key: pass --key PUB/);
  const unsigned = join(root, 'unsigned');
  mkdirSync(unsigned);
  writeFileSync(join(unsigned, 'a'), 'a');
  assert.match(verify(unsigned).stdout, /SHA256SUMS is missing: the directory was not signed/);
});
