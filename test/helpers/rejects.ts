/** @module Test helper: a call that must fail with an AWS error of this name (and message). */
import assert from 'node:assert/strict';

export async function rejects(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  const err = await p.then(
    () => assert.fail(`expected ${name}`),
    (e: Error) => e,
  );
  assert.equal(err.name, name, err.message);
  if (message) assert.match(err.message, message);
}
