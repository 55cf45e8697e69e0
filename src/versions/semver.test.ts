/** @module Tests of semantic versions and wildcards. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newestMatching, parseVersion, parseVersionPattern } from './semver.ts';

test('wildcards resolve to the newest matching version and build', () => {
  const c = [
    { version: '1.2.0', build: 1 },
    { version: '1.10.0', build: 1 },
    { version: '1.10.0', build: 2 },
    { version: '2.0.0', build: 1 },
  ];
  assert.deepEqual(newestMatching(c, '1.x.x'), { version: '1.10.0', build: 2 });
  assert.deepEqual(newestMatching(c, 'x.x.x'), { version: '2.0.0', build: 1 });
  assert.deepEqual(newestMatching(c, '1.2.x'), { version: '1.2.0', build: 1 });
  assert.equal(newestMatching(c, '3.x.x'), undefined);
});

test('bad versions are rejected with InvalidVersionNumberException naming the field', () => {
  assert.throws(() => parseVersion('1.0'), {
    awsType: 'InvalidVersionNumberException',
    message: /semanticVersion.*'1\.0'/,
  });
  assert.throws(() => parseVersion('1.0.1073741824'), { awsType: 'InvalidVersionNumberException' });
  assert.throws(() => parseVersionPattern('1.x.3'), /after an 'x'/);
});
