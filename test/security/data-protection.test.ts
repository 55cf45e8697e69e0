/**
 * @module Secrets at rest and in flight: INGOT_HOME is 0700 and the database files, config.json and
 * secret.key 0600 (fixed on start when an older Ingot left them open); SigV4 secrets are stored
 * encrypted (plaintext rows from before are sealed on start) and a wrong key is refused at start;
 * registry passwords never appear on a command line.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { pushImage, registryFor } from '../../src/distribution/registry.ts';
import { resolveSettings, storeSecretKey } from '../../src/config/settings.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { startTestServer, TEST_KEY } from '../helpers/server.ts';
import { startRegistry } from '../pipelines/services.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;

test('INGOT_HOME is 0700, secret-bearing files 0600, SigV4 secrets encrypted; old modes and rows are fixed on start', async () => {
  const home = join(mkdtempSync(join(tmpdir(), 'ingot-protect-')), 'home');
  const t = await startTestServer({ home });
  try {
    await t.client().send(new ib.ListComponentsCommand({}));
    assert.equal(modeOf(home), 0o700);
    for (const f of ['ingot.db', 'ingot.db-wal', 'ingot.db-shm', 'secret.key'])
      assert.equal(modeOf(join(home, f)), 0o600, f);
    const db = new DatabaseSync(join(home, 'ingot.db'), { readOnly: true });
    const stored = db.prepare('SELECT secret_access_key FROM credentials').all() as { secret_access_key: string }[];
    db.close();
    assert.ok(stored.length > 0);
    for (const r of stored) {
      assert.match(r.secret_access_key, /^v1:/);
      assert.notEqual(r.secret_access_key, TEST_KEY.secretAccessKey);
    }
    await t.server.close();

    // An older Ingot's layout: open modes and a plaintext secret.
    const legacy = new DatabaseSync(join(home, 'ingot.db'));
    legacy
      .prepare('INSERT OR REPLACE INTO credentials VALUES (?, ?, ?, ?)')
      .run(
        'AKIAINGOTLEGACY00001',
        'legacy-plaintext-secret-0000000000000001',
        '123456789012',
        new Date().toISOString(),
      );
    legacy.close();
    writeFileSync(join(home, 'config.json'), '{}');
    for (const f of ['ingot.db', 'secret.key', 'config.json']) chmodSync(join(home, f), 0o644);
    chmodSync(home, 0o755);
    await t.restart();
    assert.equal(modeOf(home), 0o700);
    for (const f of ['ingot.db', 'secret.key', 'config.json']) assert.equal(modeOf(join(home, f)), 0o600, f);
    const legacyClient = t.client('us-east-1', {
      accessKeyId: 'AKIAINGOTLEGACY00001',
      secretAccessKey: 'legacy-plaintext-secret-0000000000000001',
    });
    await legacyClient.send(new ib.ListComponentsCommand({}));
    await t.server.close();
    for (const f of readdirSync(home).filter((n) => n.startsWith('ingot.db'))) {
      assert.doesNotMatch(readFileSync(join(home, f), 'latin1'), /legacy-plaintext-secret/, `${f} holds no plaintext`);
      assert.doesNotMatch(readFileSync(join(home, f), 'latin1'), new RegExp(TEST_KEY.secretAccessKey), f);
    }

    // A key that is not the one the secrets were sealed with is refused when the store opens.
    process.env['INGOT_SECRET_KEY'] = Buffer.alloc(32, 7).toString('base64');
    try {
      assert.throws(
        () => openSqliteStore(join(home, 'ingot.db'), { secretKey: storeSecretKey(resolveSettings(process.env)) }),
        /cannot decrypt a stored secret with the key from INGOT_SECRET_KEY/,
      );
    } finally {
      delete process.env['INGOT_SECRET_KEY'];
    }
    await t.restart();
  } finally {
    await t.stop();
  }
});

test('a registry password never appears on a command line (skopeo gets a 0600 --authfile)', async (t) => {
  if (!existsSync('/usr/bin/skopeo') || !existsSync('/usr/bin/docker-registry'))
    return t.skip('needs skopeo and docker-registry');
  const auth = { username: 'ingot', password: 'cmdline-secret-password-42' };
  const registry = await startRegistry(auth);
  const dir = mkdtempSync(join(tmpdir(), 'ingot-authfile-'));
  try {
    // The smallest OCI layout skopeo pushes: an empty config and no layers.
    const blob = (text: string) => {
      const digest = createHash('sha256').update(text).digest('hex');
      writeFileSync(join(dir, 'oci/blobs/sha256', digest), text);
      return { digest: `sha256:${digest}`, size: Buffer.byteLength(text) };
    };
    mkdirSync(join(dir, 'oci/blobs/sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci/oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const config = blob('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const manifest = blob(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [],
      }),
    );
    writeFileSync(
      join(dir, 'oci/index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...manifest,
            annotations: { 'org.opencontainers.image.ref.name': '1.0.0' },
          },
        ],
      }),
    );
    const seen: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const pid of readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p))) {
          const cmdline = (() => {
            try {
              return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            } catch {
              return '';
            }
          })();
          if (cmdline.includes('skopeo')) seen.push(cmdline.replace(/\0/g, ' '));
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const target = registryFor(
      [{ service: 'ECR', host: registry.host, ...auth, tlsVerify: false }],
      'ECR',
      'us-east-1',
      'app',
      '123456789012',
    );
    const uris = await pushImage(join(dir, 'oci'), '1.0.0', target, ['1.0.0', 'latest']);
    watching = false;
    await watcher;
    assert.deepEqual(uris, [`${registry.host}/123456789012/app:1.0.0`, `${registry.host}/123456789012/app:latest`]);
    assert.ok(
      seen.some((c) => c.includes('--dest-authfile')),
      'skopeo was seen running with an auth file',
    );
    for (const c of seen) assert.doesNotMatch(c, /cmdline-secret-password-42/, c);
  } finally {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
