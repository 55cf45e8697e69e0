import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IngotError } from '../errors/ingot-error.ts';
import {
  assertTransition,
  canTransition,
  IMAGE_STATUSES,
  IMAGE_TRANSITIONS,
  isInProgress,
  BUILT_STATES,
  isBuilt,
  LISTED_BY_DEFAULT,
} from './image-states.ts';

test('the table has every ImageStatus and only names ImageStatus values', () => {
  assert.equal(IMAGE_STATUSES.length, 12);
  for (const to of Object.values(IMAGE_TRANSITIONS).flat()) assert.ok(IMAGE_STATUSES.includes(to), to);
});

test('a build moves PENDING → BUILDING → TESTING → DISTRIBUTING → AVAILABLE, and lifecycle onwards', () => {
  const path = [
    'PENDING',
    'BUILDING',
    'TESTING',
    'DISTRIBUTING',
    'AVAILABLE',
    'DEPRECATED',
    'DISABLED',
    'DELETED',
  ] as const;
  for (let i = 1; i < path.length; i++) assert.ok(canTransition(path[i - 1]!, path[i]!), `${path[i - 1]} → ${path[i]}`);
  assert.ok(canTransition('FAILED', 'PENDING'), 'RetryImage');
  assert.ok(canTransition('AVAILABLE', 'DISTRIBUTING'), 'DistributeImage');
  assert.ok(canTransition('TESTING', 'PENDING'), 'a stopped worker puts the build back in the queue');
});

test('an illegal transition is an IngotError naming both states', () => {
  for (const [from, to] of [
    ['DELETED', 'AVAILABLE'],
    ['AVAILABLE', 'BUILDING'],
    ['FAILED', 'AVAILABLE'],
    ['CANCELLED', 'BUILDING'],
    ['PENDING', 'AVAILABLE'],
  ] as const) {
    assert.equal(canTransition(from, to), false, `${from} → ${to}`);
    assert.throws(
      () => assertTransition(from, to, 'arn:x'),
      (e: unknown) =>
        e instanceof IngotError &&
        e.awsType === 'ResourceInUseException' &&
        e.message === `The image 'arn:x' is ${from} and cannot become ${to}.`,
    );
  }
  assert.doesNotThrow(() => assertTransition(undefined, 'BUILDING'), 'no state yet counts as PENDING');
});

test('the classes of states come from the table', () => {
  assert.deepEqual([...BUILT_STATES].sort(), ['AVAILABLE', 'DEPRECATED', 'DISABLED']);
  assert.ok(isBuilt('DISABLED') && !isBuilt('DELETED') && !isBuilt(undefined));
  assert.ok(isInProgress('TESTING') && !isInProgress('FAILED') && !isInProgress(undefined));
  for (const s of IMAGE_STATUSES) assert.equal(isInProgress(s), canTransition(s, 'CANCELLED'), s);
  assert.ok(!LISTED_BY_DEFAULT.includes('DEPRECATED') && LISTED_BY_DEFAULT.includes('DISABLED'));
});
