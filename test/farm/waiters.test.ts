/**
 * @module The waiting claims of the worker API: a queued job wakes one (the longest waiting), the
 * server's stop wakes all, a timeout or an aborted request ends a wait, and no wait is left behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Waiters } from '../../src/api/worker-api/waiters.ts';

test('a queued job wakes one waiting claim, the longest waiting first; stopping wakes all', async () => {
  const waiters = new Waiters();
  const woken: string[] = [];
  const never = new AbortController().signal;
  const waits = ['a', 'b', 'c'].map((name) => waiters.wait(60_000, never).then(() => woken.push(name)));
  assert.equal(waiters.size, 3);
  waiters.wakeOne();
  await waits[0];
  assert.deepEqual(woken, ['a']);
  assert.equal(waiters.size, 2);
  waiters.wakeAll();
  await Promise.all(waits);
  assert.deepEqual(woken, ['a', 'b', 'c']);
  assert.equal(waiters.size, 0);
  waiters.wakeOne(); // nobody waits: nothing happens
});

test('a wait ends at its timeout or when its request is aborted, and leaves nothing behind', async () => {
  const waiters = new Waiters();
  const t0 = Date.now();
  await waiters.wait(30, new AbortController().signal);
  assert.ok(Date.now() - t0 >= 25);
  const abort = new AbortController();
  const w = waiters.wait(60_000, abort.signal);
  abort.abort();
  await w;
  assert.equal(waiters.size, 0);
});
