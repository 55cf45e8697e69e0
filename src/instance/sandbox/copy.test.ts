/** @module Tests copyIn/copyOut against hostile links inside the instance. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyIntoInstance, copyOutOfInstance } from './copy.ts';

function fixture(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-copy-'));
  t.after(() => rmSync(dir, { recursive: true }));
  const root = join(dir, 'root');
  const outside = join(dir, 'outside');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(outside);
  symlinkSync(outside, join(root, 'escape')); // absolute host path: means <root><outside> inside
  symlinkSync(join(outside, 'victim'), join(root, 'etc/victim'));
  const src = join(dir, 'src');
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'a.sh'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(src, 'sub/b'), 'b');
  symlinkSync('/etc/hostname', join(src, 'link'));
  return { dir, root, outside, src, mappings: [{ instancePath: '/', hostPath: root }] };
}

test('copyIn through links writes inside the root, never at the host path', async (t) => {
  const { root, outside, src, mappings } = fixture(t);
  await copyIntoInstance(mappings, join(src, 'a.sh'), '/etc/victim');
  assert.equal(existsSync(join(outside, 'victim')), false);
  assert.equal(readFileSync(join(root, outside, 'victim'), 'utf8'), '#!/bin/sh\n');
  await copyIntoInstance(mappings, src, '/escape/tree');
  assert.equal(existsSync(join(outside, 'tree')), false);
  assert.equal(readFileSync(join(root, outside, 'tree/sub/b'), 'utf8'), 'b');
  assert.equal(statSync(join(root, outside, 'tree/a.sh')).mode & 0o777, 0o755);
  assert.equal(readlinkSync(join(root, outside, 'tree/link')), '/etc/hostname');
});

test('copyOut resolves inside the root and keeps links as links', async (t) => {
  const { dir, root, src, mappings } = fixture(t);
  await copyIntoInstance(mappings, src, '/opt/app');
  writeFileSync(join(root, 'etc/hostname'), 'guest');
  symlinkSync('/opt/app', join(root, 'applink'));
  const out = join(dir, 'out');
  await copyOutOfInstance(mappings, '/applink', out);
  assert.equal(readFileSync(join(out, 'sub/b'), 'utf8'), 'b');
  assert.equal(readlinkSync(join(out, 'link')), '/etc/hostname');
  await assert.rejects(copyOutOfInstance(mappings, '/missing', join(dir, 'x')), /no such file/);
  await assert.rejects(copyIntoInstance(mappings, src, '/proc/x'), /kernel file system/);
});
