/** @module Tests the disk quota watcher on a real directory and the ingot:disk-quota-gib tag. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { IngotError } from '../errors/ingot-error.ts';
import { diskQuotaOf, settingsBuildOptions } from './build-settings.ts';
import { BuildDiskQuotaExceeded, diskUsage, watchDiskQuota } from './disk-quota.ts';

test('the watcher aborts once the directory passes its quota and names the directory holding the most', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-quota-unit-'));
  try {
    mkdirSync(join(dir, 'layer-a/upper/var'), { recursive: true });
    mkdirSync(join(dir, 'layer-b'), { recursive: true });
    writeFileSync(join(dir, 'layer-b/small'), Buffer.alloc(4096, 1));
    const watch = watchDiskQuota(dir, 1024 * 1024, 100);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(watch.signal.aborted, false, 'under the quota');
    writeFileSync(join(dir, 'layer-a/upper/var/big'), Buffer.alloc(3 * 1024 * 1024, 1));
    await new Promise((resolve) => watch.signal.addEventListener('abort', resolve, { once: true }));
    const found = watch.exceeded();
    assert.ok(found && found.usedBytes >= 3 * 1024 * 1024);
    assert.equal(found.path, join(dir, 'layer-a/upper/var'));
    watch.stop();
    assert.ok((await diskUsage(dir)) >= 3 * 1024 * 1024);
    const failure = new BuildDiskQuotaExceeded('build', found.usedBytes, 1024 * 1024, found.path);
    assert.match(
      failure.message,
      /^build failed: the build's disk use \(0\.00 GiB, most of it in .*layer-a\/upper\/var\) passed its quota/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the quota comes from INGOT_BUILD_DISK_QUOTA_GIB, overridden by the ingot:disk-quota-gib tag', () => {
  assert.equal(settingsBuildOptions({ buildDiskQuotaGib: 0 }).diskQuotaBytes, undefined);
  assert.equal(settingsBuildOptions({ buildDiskQuotaGib: 2 }).diskQuotaBytes, 2 * 2 ** 30);
  assert.equal(diskQuotaOf(undefined), undefined);
  assert.equal(diskQuotaOf({ resourceTags: { 'ingot:disk-quota-gib': '0.5' } }), 2 ** 29);
  assert.equal(diskQuotaOf({ resourceTags: { 'ingot:disk-quota-gib': '0' } }), 0);
  for (const bad of ['', '-1', 'lots'])
    assert.throws(() => diskQuotaOf({ resourceTags: { 'ingot:disk-quota-gib': bad } }), IngotError);
});
