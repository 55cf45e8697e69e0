/** @module The settings table: resolution order, clear errors, tag checks, and the README kept equal to it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { layerCacheOptions, resolveSettings, SETTINGS } from '../../src/config/settings.ts';
import { withSettingsDoc } from '../../src/config/settings-doc.ts';
import { checkIngotTags, TAG_BOOT_MODES, TAG_DISK_FORMATS, TAG_SEVERITIES } from '../../src/config/tags.ts';
import { BOOT_MODES } from '../../src/disk/grub.ts';
import { DISK_FORMATS } from '../../src/disk/formats/index.ts';
import { IngotError } from '../../src/errors/ingot-error.ts';
import { SEVERITIES } from '../../src/findings/severity.ts';

test('the README configuration table is the one generated from the settings table (npm run gen:docs)', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.equal(readme, withSettingsDoc(readme), 'README.md is stale: run npm run gen:docs');
});

test('every setting has an env var, a doc line and a default; env names are unique', () => {
  const names = SETTINGS.map((s) => s.env);
  assert.equal(new Set(names).size, names.length);
  for (const s of SETTINGS) assert.ok(s.doc && s.shownDefault, s.env);
});

test('defaults; an empty INGOT_HOME counts as unset (no relative cache path)', () => {
  const s = resolveSettings({ INGOT_HOME: '' });
  assert.ok(s.home.startsWith('/') && s.home.endsWith('.ingot'));
  assert.equal(s.basesHome, s.home);
  assert.equal(s.configFile, `${s.home}/config.json`);
  assert.equal(s.buildTimeoutMinutes, 240);
  assert.equal(s.buildMaxAttempts, 2);
  assert.equal(s.eventRetentionDays, 30);
  assert.equal(s.accountId, '123456789012');
  assert.equal(s.qemuAccel, undefined);
});

test('override > environment > config-file key > default', () => {
  const file = { builds: { maxAttempts: 5, leaseSeconds: 9 } };
  const s = resolveSettings(
    { INGOT_HOME: '/h', INGOT_BUILD_LEASE_SECONDS: '12' },
    { overrides: { home: '/o' }, readFile: () => file },
  );
  assert.equal(s.home, '/o');
  assert.equal(s.basesHome, '/o');
  assert.equal(s.buildMaxAttempts, 5);
  assert.equal(s.buildLeaseSeconds, 12);
  assert.equal(resolveSettings({ INGOT_EVENT_RETENTION_DAYS: '0' }).eventRetentionDays, undefined);
  assert.equal(resolveSettings({}, { readFile: () => ({}) }).buildLogMaxLines, 50_000);
  assert.equal(resolveSettings({}, { readFile: () => ({ builds: { logMaxLines: 800 } }) }).buildLogMaxLines, 800);
  assert.equal(resolveSettings({ INGOT_BUILD_LOG_MAX_LINES: '1200' }).buildLogMaxLines, 1200);
});

test('a bad value is an invalid-config error naming the variable or the file key', () => {
  assert.throws(
    () => resolveSettings({ INGOT_BUILD_MAX_ATTEMPTS: '0' }),
    (e: unknown) =>
      e instanceof IngotError && e.code === 'invalid-config' && /INGOT_BUILD_MAX_ATTEMPTS/.test(e.message),
  );
  assert.throws(() => resolveSettings({ INGOT_ACCOUNT_ID: '12' }), /INGOT_ACCOUNT_ID must be 12 digits/);
  assert.throws(
    () => resolveSettings({ INGOT_BUILD_LOG_MAX_LINES: '2.5' }),
    /INGOT_BUILD_LOG_MAX_LINES must be a whole number >= 1/,
  );
  assert.throws(
    () => resolveSettings({ INGOT_CONFIG: '/c.json' }, { readFile: () => ({ builds: { leaseSeconds: 'x' } }) }),
    /\/c\.json: 'builds\.leaseSeconds' must be a number >= 1/,
  );
});

test('ingot:* tags: bad values are invalid-input naming the tag; good ones and other tags pass', () => {
  assert.deepEqual([...TAG_SEVERITIES], [...SEVERITIES]);
  assert.deepEqual([...TAG_DISK_FORMATS], [...DISK_FORMATS]);
  assert.deepEqual([...TAG_BOOT_MODES], [...BOOT_MODES]);
  checkIngotTags('image recipe', { 'ingot:boot-mode': 'uefi', 'ingot:cloud-init': 'off' });
  assert.throws(
    () => checkIngotTags('image recipe', { 'ingot:boot-mode': 'efi' }),
    /tag ingot:boot-mode: must be one of hybrid, uefi, bios/,
  );
  assert.deepEqual(resolveSettings({}).imageFormats, ['qcow2']);
  assert.deepEqual(resolveSettings({ INGOT_IMAGE_FORMATS: 'tar' }).imageFormats, ['tar']);
  assert.deepEqual(resolveSettings({ INGOT_IMAGE_FORMATS: 'raw, VHDX' }).imageFormats, ['raw', 'vhdx']);
  assert.throws(
    () => resolveSettings({ INGOT_IMAGE_FORMATS: 'tar,qcow2' }),
    /INGOT_IMAGE_FORMATS `tar` \(no disk\) cannot be combined/,
  );
  assert.throws(() => resolveSettings({ INGOT_IMAGE_FORMATS: 'ova2' }), /INGOT_IMAGE_FORMATS must be one of/);
  checkIngotTags('infrastructure configuration', { 'ingot:fail-on-severity': 'high', 'ingot:instance-driver': 'qemu' });
  checkIngotTags('distribution configuration', { 'ingot:disk-formats': 'qcow2, VHDX', other: 'x' });
  assert.throws(
    () => checkIngotTags('infrastructure configuration', { 'ingot:instance-driver': 'xen' }),
    (e: unknown) =>
      e instanceof IngotError &&
      e.httpStatus === 400 &&
      /tag ingot:instance-driver: must be one of qemu, sandbox/.test(e.message),
  );
  assert.throws(
    () => checkIngotTags('distribution configuration', { 'ingot:disk-formats': 'raw,iso' }),
    /ingot:disk-formats/,
  );
});

test('startServer({ env }) resolves the settings once from env over the process environment, home winning', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { startServer } = await import('../../src/server/server.ts');
  const home = mkdtempSync(join(tmpdir(), 'ingot-settings-'));
  const server = await startServer({
    home,
    port: 0,
    worker: false,
    operations: { scheduler: false, webhooks: false },
    env: {
      INGOT_HOME: '/elsewhere',
      INGOT_BASES_HOME: join(home, 'bases-here'),
      INGOT_SCHEDULER_INTERVAL_MS: '1234',
      INGOT_BUILD_TIMEOUT_MINUTES: '7',
      INGOT_ACCOUNT_ID: '210987654321',
    },
  });
  try {
    assert.equal(server.settings.home, home);
    assert.equal(server.settings.basesHome, join(home, 'bases-here'));
    assert.equal(server.settings.schedulerIntervalMs, 1234);
    assert.equal(server.settings.buildTimeoutMinutes, 7);
    assert.equal(server.defaultCredential.credential.accountId, '210987654321');
  } finally {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
});

test('INGOT_LAYER_CACHE_S3: off by default; s3://BUCKET[/PREFIX] with the S3 endpoint and AWS_* credentials', () => {
  const home = '/srv/ingot-home';
  assert.equal(resolveSettings({ INGOT_HOME: home }).layerCacheS3, undefined);
  assert.equal(layerCacheOptions(resolveSettings({ INGOT_HOME: home }), {}).shared, undefined);
  const env = {
    INGOT_HOME: home,
    INGOT_LAYER_CACHE_S3: 's3://layers-bucket/farm/eu/',
    INGOT_S3_ENDPOINT: 'http://127.0.0.1:9000',
    AWS_ACCESS_KEY_ID: 'k',
    AWS_SECRET_ACCESS_KEY: 's',
  };
  assert.deepEqual(resolveSettings(env).layerCacheS3, { bucket: 'layers-bucket', prefix: 'farm/eu' });
  assert.deepEqual(resolveSettings({ ...env, INGOT_LAYER_CACHE_S3: 's3://b-1' }).layerCacheS3, {
    bucket: 'b-1',
    prefix: '',
  });
  assert.deepEqual(layerCacheOptions(resolveSettings(env), env).shared, {
    endpoint: { endpoint: 'http://127.0.0.1:9000', accessKeyId: 'k', secretAccessKey: 's', region: 'us-east-1' },
    bucket: 'layers-bucket',
    prefix: 'farm/eu',
  });
  assert.throws(
    () => resolveSettings({ ...env, INGOT_LAYER_CACHE_S3: 'https://bucket/x' }),
    (e: unknown) => e instanceof IngotError && /INGOT_LAYER_CACHE_S3 must be s3:\/\/BUCKET/.test(e.message),
  );
  const { AWS_SECRET_ACCESS_KEY: _, ...noSecret } = env;
  assert.throws(
    () => layerCacheOptions(resolveSettings(noSecret), noSecret),
    /INGOT_LAYER_CACHE_S3 needs INGOT_S3_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
  );
});
