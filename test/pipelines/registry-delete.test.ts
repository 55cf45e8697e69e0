/**
 * @module Deleting one image's tag from a real `docker-registry` leaves another image's tag on the same
 * manifest digest (two builds with identical content) in place: the registry API deletes manifests, not
 * tags, so `deleteRemoteImage` moves the tag to a tombstone first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RegistryConfig } from '../../src/config/ingot-config.ts';
import { deleteRemoteImage, pushImage } from '../../src/distribution/registry.ts';
import { TOMBSTONE_TAG, writeTombstoneLayout } from '../../src/distribution/tombstone.ts';
import { startRegistry, type Registry } from './services.ts';

const missing = ['docker-registry', 'skopeo'].find((t) => {
  try {
    execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
});
const skip = missing ? `${missing} is not installed (scripts/install-system-deps.sh)` : false;
let registry: Registry;
let dir = '';

before(async () => {
  if (skip) return;
  registry = await startRegistry();
  dir = mkdtempSync(join(tmpdir(), 'ingot-registry-delete-'));
});
after(async () => {
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const digestOf = (ref: string): string | undefined => {
  try {
    return execFileSync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${ref}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
};

test("deleting one image's tag keeps another image's tag on the same manifest", { skip }, async () => {
  const config: RegistryConfig = { service: 'ECR', host: registry.host, tlsVerify: false };
  const layout = join(dir, 'image');
  await writeTombstoneLayout(layout, 'same-content');
  const target = { registry: config, repository: `${registry.host}/123456789012/app` };
  // Two images (1.0.0/1 and 1.0.0/2) with identical content: one manifest, two tags.
  const [first] = await pushImage(layout, TOMBSTONE_TAG, target, ['1.0.0-1']);
  const [second] = await pushImage(layout, TOMBSTONE_TAG, target, ['1.0.0-2']);
  const shared = digestOf(second!);
  assert.ok(shared);
  assert.equal(digestOf(first!), shared, 'both tags are on one manifest');

  await deleteRemoteImage(first!, config);
  assert.equal(digestOf(first!), undefined, 'the deleted tag is gone');
  assert.equal(digestOf(second!), shared, "the other image's tag still names its manifest");

  await deleteRemoteImage(`${target.repository}@${shared}`, config);
  assert.equal(digestOf(second!), undefined, 'a delete by digest removes that manifest');
});
