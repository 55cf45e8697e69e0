import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { every } from './every.ts';

test('every: runs at once, then every interval, never two rounds at a time', async () => {
  let rounds = 0;
  let active = 0;
  let overlap = false;
  const loop = every(20, async () => {
    active++;
    if (active > 1) overlap = true;
    rounds++;
    await sleep(15);
    active--;
  });
  await sleep(5);
  assert.equal(rounds, 1, 'the first round runs at once');
  await sleep(120);
  await loop.stop();
  assert.ok(rounds >= 2 && rounds <= 6, `rounds: ${rounds}`);
  assert.equal(overlap, false);
  const after = rounds;
  await sleep(60);
  assert.equal(rounds, after, 'no round after stop()');
});

test('every: wake() runs the next round early; errors go to onError and the loop goes on', async () => {
  const errors: unknown[] = [];
  let rounds = 0;
  const loop = every(
    10_000,
    () => {
      rounds++;
      if (rounds === 1) throw new Error('boom');
    },
    { onError: (e) => errors.push(e) },
  );
  await sleep(10);
  assert.equal(rounds, 1);
  assert.equal((errors[0] as Error).message, 'boom');
  loop.wake();
  await sleep(10);
  assert.equal(rounds, 2);
  await loop.stop();
});

test('every: immediate=false waits one interval; an aborted signal stops it', async () => {
  let rounds = 0;
  const abort = new AbortController();
  const loop = every(30, () => rounds++, { immediate: false, signal: abort.signal });
  await sleep(10);
  assert.equal(rounds, 0);
  await sleep(40);
  assert.equal(rounds, 1);
  abort.abort();
  await sleep(80);
  assert.equal(rounds, 1);
  await loop.stop();
});
