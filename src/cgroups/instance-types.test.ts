/** @module Tests the instance-type table lookup. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_INSTANCE_TYPE, INSTANCE_TYPES, limitsForInstanceTypes } from './instance-types.ts';

test('the first known type wins, unknown ones are skipped', () => {
  assert.deepEqual(limitsForInstanceTypes(['x9.huge', 't3.micro', 'm5.large']), {
    cpus: 2,
    memoryMiB: 1024,
    pids: 4096,
    instanceType: 't3.micro',
  });
});

test('no known type gives the documented default', () => {
  assert.equal(limitsForInstanceTypes(undefined).instanceType, DEFAULT_INSTANCE_TYPE);
  assert.equal(limitsForInstanceTypes([]).instanceType, DEFAULT_INSTANCE_TYPE);
  assert.equal(limitsForInstanceTypes(['toString']).instanceType, DEFAULT_INSTANCE_TYPE);
});

test('the table covers common EC2 families and Ingot sizes', () => {
  for (const t of ['t3.small', 't3.medium', 'm5.xlarge', 'c5.large', 'ingot.small', 'ingot.large'])
    assert.ok(INSTANCE_TYPES[t], t);
});
