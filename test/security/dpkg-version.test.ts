/** @module Debian version comparison against dpkg's own rules (and against `dpkg --compare-versions` itself when present). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { IngotError } from '../../src/errors/ingot-error.ts';
import { compareDebianVersions, parseDebianVersion } from '../../src/findings/dpkg-version.ts';

/** [a, b, expected sign of compare(a, b)] */
const CASES: Array<[string, string, -1 | 0 | 1]> = [
  ['1.0', '1.0', 0],
  ['1.0', '1.0-0', 0],
  ['1.0-1', '1.0-2', -1],
  ['1.0~rc1', '1.0', -1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~~', '1.0~', -1],
  ['1.0~', '1.0', -1],
  ['1.0', '1.0a', -1],
  ['1.0a', '1.0+', -1],
  ['1.0+', '1.0.', -1],
  ['1:0.1', '2.0', 1],
  ['0:2.0', '2.0', 0],
  ['1:4.13+dfsg1-1+deb12u2', '4.20-1', 1],
  ['2.36-9+deb12u14', '2.36-9+deb12u4', 1],
  ['2.36-9+deb12u9', '2.36-9+deb12u10', -1],
  ['252.39-1~deb12u2', '252.39-1', -1],
  ['5.2.15-2+b13', '5.2.15-2', 1],
  ['5.2.15-2+b13', '5.2.15-3', -1],
  ['1.2.3-1', '1.2.3.0-1', -1],
  ['007', '7', 0],
  ['1.0-1ubuntu1', '1.0-1', 1],
  ['2:1.0', '10:0.1', -1],
  ['1.0-a', '1.0-1', 1],
  ['9.10', '9.9', 1],
];

test('compareDebianVersions follows dpkg (epochs, tilde, letters before other symbols, numeric runs)', () => {
  for (const [a, b, want] of CASES) {
    assert.equal(Math.sign(compareDebianVersions(a, b)), want, `${a} vs ${b}`);
    assert.equal(Math.sign(compareDebianVersions(b, a)), -want || 0, `${b} vs ${a}`);
  }
});

test('every case agrees with dpkg --compare-versions', (t) => {
  try {
    execFileSync('dpkg', ['--version'], { stdio: 'ignore' });
  } catch {
    return t.skip('dpkg is not installed');
  }
  for (const [a, b] of CASES) {
    const lt = (() => {
      try {
        execFileSync('dpkg', ['--compare-versions', a, 'lt', b]);
        return true;
      } catch {
        return false;
      }
    })();
    assert.equal(compareDebianVersions(a, b) < 0, lt, `${a} lt ${b}`);
  }
});

test('parseDebianVersion splits epoch, upstream and revision, and names what is wrong', () => {
  assert.deepEqual(parseDebianVersion('1:4.13+dfsg1-1+deb12u2'), {
    epoch: 1,
    upstream: '4.13+dfsg1',
    revision: '1+deb12u2',
  });
  assert.deepEqual(parseDebianVersion('2:1.0-rc-1'), { epoch: 2, upstream: '1.0-rc', revision: '1' });
  assert.deepEqual(parseDebianVersion('3.0'), { epoch: 0, upstream: '3.0', revision: '' });
  assert.throws(
    () => parseDebianVersion('x:1.0'),
    (e: unknown) => e instanceof IngotError && /epoch 'x'/.test(e.message),
  );
  assert.throws(
    () => parseDebianVersion('abc'),
    (e: unknown) => e instanceof IngotError && /must start with a digit/.test(e.message),
  );
  assert.throws(() => parseDebianVersion('1.0 beta'), IngotError);
});
