import assert from 'node:assert/strict';
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { kvmAnswersWell, probeAnswerMs, probedAccel, probeKvm, probeSector } from './accel.ts';
import { hasTool } from '../../process/index.ts';

test('KVM is chosen only when it answers about as fast as TCG', () => {
  assert.equal(kvmAnswersWell(80, 100), true);
  assert.equal(kvmAnswersWell(350, 100), true); // 100 + 250
  assert.equal(kvmAnswersWell(351, 100), false);
  assert.equal(kvmAnswersWell(1575, 90), false); // the nested KVM of the development machine
  assert.equal(kvmAnswersWell(1575, 700), false); // the same under load
  assert.equal(kvmAnswersWell(undefined, 90), false); // hung
  assert.equal(kvmAnswersWell(120, undefined), true);
});

test('no KVM device: TCG without starting qemu', async () => {
  const started = performance.now();
  assert.equal(await probeKvm({ kvmDevice: '/nonexistent/kvm' }), false);
  assert.ok(performance.now() - started < 1000);
});

test('a kept answer for this boot is used; one owned by another user is not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-accel-test-'));
  try {
    // No KVM device: a probe would answer tcg, so kvm can only come from the kept file.
    const opts = { kvmDevice: '/nonexistent/kvm', cacheDir: dir };
    assert.equal(await probedAccel(opts), 'tcg');
    const [file] = await readdir(dir);
    assert.match(file ?? '', /^ingot-qemu-accel-\d+-[0-9a-f-]{36}$/);
    assert.equal(await readFile(join(dir, file!), 'utf8'), 'tcg\n');
    await writeFile(join(dir, file!), 'kvm\n');
    assert.equal(await probedAccel(opts), 'kvm');
    await writeFile(join(dir, file!), 'fast\n');
    assert.equal(await probedAccel(opts), 'tcg', 'an unreadable answer is probed again');
    if (process.getuid?.() === 0) {
      await writeFile(join(dir, file!), 'kvm\n');
      await chown(join(dir, file!), 65534, 65534);
      assert.equal(await probedAccel({ ...opts, cacheDir: dir }), 'tcg');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the probe guest answers under TCG, and qemu stops at its byte', async (t) => {
  if (!(await hasTool('qemu-system-x86_64'))) return t.skip('qemu-system-x86_64 is not installed');
  const dir = await mkdtemp(join(tmpdir(), 'ingot-accel-test-'));
  try {
    const image = join(dir, 'boot.img');
    await writeFile(image, probeSector());
    const started = performance.now();
    const ms = await probeAnswerMs(image, 'tcg', 20_000);
    assert.ok(ms !== undefined && ms < 20_000, `answered after ${ms} ms`);
    assert.ok(performance.now() - started < 15_000, 'qemu was stopped once the byte arrived');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
