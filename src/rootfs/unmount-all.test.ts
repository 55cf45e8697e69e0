/** @module Tests for unmountAll: one umount for several mount points, each one again when that fails. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { unmountAll } from './overlay.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (mount)' : false;
const mounted = (p: string) => readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${p} `);

test('unmountAll unmounts nested mounts in one go, and the others when one target is not mounted', {
  skip,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-unmount-'));
  try {
    const outer = join(dir, 'outer');
    mkdirSync(outer);
    execFileSync('mount', ['-t', 'tmpfs', 'ingot-test', outer]);
    const inner = join(outer, 'inner');
    mkdirSync(inner);
    execFileSync('mount', ['-t', 'tmpfs', 'ingot-test', inner]);
    await unmountAll([inner, outer]);
    assert.ok(!mounted(inner) && !mounted(outer));
    execFileSync('mount', ['-t', 'tmpfs', 'ingot-test', outer]);
    const notMounted = join(dir, 'plain');
    mkdirSync(notMounted);
    await unmountAll([notMounted, outer]);
    assert.ok(!mounted(outer));
  } finally {
    execFileSync('sh', ['-c', `grep -q ' ${dir}/' /proc/self/mountinfo && umount -R ${dir}/outer || true`]);
    rmSync(dir, { recursive: true, force: true });
  }
});
