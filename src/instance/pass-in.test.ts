/** @module Pass-in on a real sandbox over the debian-12 base: the CA bundle and proxy variables reach every step, and nothing of them lands in the layer. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bootstrapUnavailable, sharedTestBase } from '../../test/helpers/test-base.ts';
import { resolveSettings } from '../config/settings.ts';
import { INSTANCE_CA_PATH, instancePassIn, PassInInstance, withPassIn } from './pass-in.ts';

/** What build instances get for this environment, through the settings as every entry point reads them. */
const instancePassInFromEnv = (env: Record<string, string>) => instancePassIn(resolveSettings(env));
import { createSandboxInstance } from './sandbox/index.ts';

const unavailable = bootstrapUnavailable();
const home = mkdtempSync('/tmp/ingot-pass-in-test-');
after(() => rmSync(home, { recursive: true, force: true }));

test('settings: INGOT_INSTANCE_CA_BUNDLE (a path or host) and the proxy variables unless INGOT_INSTANCE_PROXY=off', () => {
  assert.deepEqual(instancePassInFromEnv({}), {});
  assert.deepEqual(instancePassInFromEnv({ INGOT_INSTANCE_CA_BUNDLE: 'host' }), {
    caBundle: '/etc/ssl/certs/ca-certificates.crt',
  });
  assert.deepEqual(
    instancePassInFromEnv({ https_proxy: 'http://proxy.internal:3128', NO_PROXY: 'localhost', PATH: '/bin' }),
    { proxyEnv: { https_proxy: 'http://proxy.internal:3128', NO_PROXY: 'localhost' } },
  );
  assert.deepEqual(instancePassInFromEnv({ https_proxy: 'http://p:1', INGOT_INSTANCE_PROXY: 'off' }), {});
});

test('a sandbox build step sees the CA bundle through SSL_CERT_FILE & co. and the proxy; the layer keeps neither', {
  skip: unavailable ?? false,
}, async () => {
  const base = await sharedTestBase();
  const ca = join(home, 'corp-ca.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=Ingot test CA',
      '-keyout',
      join(home, 'ca.key'),
      '-out',
      ca,
    ],
    { stdio: 'ignore' },
  );
  const upperDir = mkdtempSync(join(home, 'upper-'));
  const sandbox = await createSandboxInstance({ lowerDirs: [base.rootfsDir], upperDir, ingotHome: home });
  const instance = withPassIn(sandbox, { caBundle: ca, proxyEnv: { https_proxy: 'http://proxy.internal:3128' } });
  assert.ok(instance instanceof PassInInstance);
  try {
    const r = await instance.exec({
      argv: [
        '/bin/sh',
        '-c',
        'echo "$SSL_CERT_FILE $CURL_CA_BUNDLE $REQUESTS_CA_BUNDLE $https_proxy"; cat "$SSL_CERT_FILE"',
      ],
    });
    assert.equal(r.exitCode, 0, r.stderr);
    const [vars, ...pem] = r.stdout.split('\n');
    assert.equal(vars, `${INSTANCE_CA_PATH} ${INSTANCE_CA_PATH} ${INSTANCE_CA_PATH} http://proxy.internal:3128`);
    assert.equal(pem.join('\n'), readFileSync(ca, 'utf8'));
    // A step's own environment wins over the pass-in.
    const own = await instance.exec({
      argv: ['/bin/sh', '-c', 'echo $https_proxy'],
      env: { https_proxy: 'http://mine:1' },
    });
    assert.equal(own.stdout.trim(), 'http://mine:1');
  } finally {
    await instance.close();
  }
  assert.equal(existsSync(join(upperDir, 'tmp/ingot-host-ca')), false, 'the bundle is not in the layer');
});
