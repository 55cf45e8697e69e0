import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { every } from './every.ts';

/** Waits until `cond` holds (polling; fails after 10 s, however loaded the machine). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await sleep(10);
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test('every: runs at once, then again after each round, never two rounds at a time; stop() ends it', async () => {
  let rounds = 0;
  let active = 0;
  let overlap = false;
  const loop = every(5, async () => {
    active++;
    if (active > 1) overlap = true;
    rounds++;
    await sleep(20);
    active--;
  });
  try {
    await until(() => rounds >= 3, 'three rounds');
    assert.equal(overlap, false);
  } finally {
    await loop.stop();
  }
  assert.equal(active, 0, 'stop() waits for the running round');
  const after = rounds;
  await sleep(60);
  assert.equal(rounds, after, 'no round after stop()');
});

test('every: wake() runs the next round early; errors go to onError and the loop goes on', async () => {
  const errors: unknown[] = [];
  let rounds = 0;
  const loop = every(
    600_000,
    () => {
      rounds++;
      if (rounds === 1) throw new Error('boom');
    },
    { onError: (e) => errors.push(e) },
  );
  try {
    await until(() => errors.length === 1, 'the first round');
    assert.equal((errors[0] as Error).message, 'boom');
    assert.equal(rounds, 1);
    loop.wake();
    await until(() => rounds === 2, 'the woken round');
  } finally {
    await loop.stop();
  }
});

test('every: immediate=false waits an interval first; an aborted signal stops it', async () => {
  let rounds = 0;
  const abort = new AbortController();
  const loop = every(600_000, () => rounds++, { immediate: false, signal: abort.signal });
  try {
    await sleep(50);
    assert.equal(rounds, 0);
    loop.wake();
    await until(() => rounds === 1, 'the woken round');
    abort.abort();
    loop.wake();
    await sleep(50);
    assert.equal(rounds, 1, 'no round once the signal is aborted');
  } finally {
    await loop.stop();
  }
});

test('every: a round woken from inside another async context runs in the loop’s own', async () => {
  const context = new AsyncLocalStorage<string>();
  const seen: (string | undefined)[] = [];
  const loop = context.run('loop', () =>
    every(600_000, () => void seen.push(context.getStore()), { immediate: false }),
  );
  try {
    context.run('a request’s transaction', () => loop.wake());
    await until(() => seen.length === 1, 'the woken round');
    assert.deepEqual(seen, ['loop']);
  } finally {
    await loop.stop();
  }
});
