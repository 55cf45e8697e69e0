/** @module Tests for TaskPool: bounded concurrency, flush as a barrier, first error reported. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { TaskPool } from './task-pool.ts';

test('runs at most `limit` tasks at once and flush waits for all', async () => {
  const pool = new TaskPool(3);
  let running = 0;
  let peak = 0;
  let done = 0;
  for (let i = 0; i < 10; i++) {
    await pool.run(async () => {
      peak = Math.max(peak, ++running);
      await sleep(5);
      running--;
      done++;
    });
  }
  await pool.flush();
  assert.equal(done, 10);
  assert.equal(peak, 3);
});

test('a failed task fails the next run or flush', async () => {
  const pool = new TaskPool(2);
  await pool.run(async () => {
    throw new Error('boom');
  });
  await assert.rejects(pool.flush(), /boom/);
  await assert.rejects(
    pool.run(async () => {}),
    /boom/,
  );
});
