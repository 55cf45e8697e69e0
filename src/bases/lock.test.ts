/** @module Tests the bootstrap lock: mutual exclusion across callers, release on crash. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withLock } from './lock.ts';

test('callers of the same lock run one at a time', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-lock-'));
  t.after(() => rmSync(dir, { recursive: true }));
  const path = join(dir, 'x.lock');
  let inside = 0;
  let maxInside = 0;
  const work = () =>
    withLock(path, async () => {
      maxInside = Math.max(maxInside, ++inside);
      await sleep(50);
      inside--;
    });
  await Promise.all([work(), work(), work()]);
  assert.equal(maxInside, 1);
});

test('a lock whose holder was killed is free again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-lock-'));
  t.after(() => rmSync(dir, { recursive: true }));
  const path = join(dir, 'x.lock');
  const holder = spawn('flock', ['-x', path, 'sleep', '30'], { stdio: 'ignore', detached: true });
  await sleep(100);
  let waited = false;
  const done = withLock(path, async () => 'ran', { onWait: () => (waited = true) });
  await sleep(400);
  process.kill(-(holder.pid ?? 0), 'SIGKILL'); // flock and its sleep both hold the file
  assert.equal(await done, 'ran');
  assert.equal(waited, true);
});

test('a lock that stays busy times out with a message', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-lock-'));
  const path = join(dir, 'x.lock');
  const holder = spawn('flock', ['-x', path, 'sleep', '30'], { stdio: 'ignore', detached: true });
  t.after(() => (process.kill(-(holder.pid ?? 0), 'SIGKILL'), rmSync(dir, { recursive: true })));
  await sleep(100);
  await assert.rejects(
    withLock(path, async () => 1, { timeoutMs: 1000 }),
    /cannot lock/,
  );
});
