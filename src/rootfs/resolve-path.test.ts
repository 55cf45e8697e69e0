/** @module Tests in-instance path resolution: symlinks never lead out of the root. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostPathOf, resolveInInstance } from './resolve-path.ts';

function fixture(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-resolve-'));
  t.after(() => rmSync(dir, { recursive: true }));
  const root = join(dir, 'root');
  const tmp = join(dir, 'tmp');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(tmp);
  writeFileSync(join(root, 'etc/passwd'), 'guest');
  symlinkSync('/etc/passwd', join(root, 'abs-link'));
  symlinkSync('../../../../../../etc', join(root, 'etc/up'));
  symlinkSync('/', join(root, 'rootlink'));
  symlinkSync('../etc/passwd', join(tmp, 'rel'));
  symlinkSync('loop', join(root, 'loop'));
  return {
    root,
    tmp,
    mappings: [
      { instancePath: '/', hostPath: root },
      { instancePath: '/tmp', hostPath: tmp },
    ],
  };
}

test('host paths come from the longest mapping', () => {
  const m = [
    { instancePath: '/', hostPath: '/r' },
    { instancePath: '/tmp', hostPath: '/t/' },
  ];
  assert.equal(hostPathOf(m, '/'), '/r');
  assert.equal(hostPathOf(m, '/etc/x'), '/r/etc/x');
  assert.equal(hostPathOf(m, '/tmp'), '/t');
  assert.equal(hostPathOf(m, '/tmp/a'), '/t/a');
  assert.equal(hostPathOf(m, '/tmpx'), '/r/tmpx');
});

test('absolute, relative and climbing links stay inside the instance', async (t) => {
  const { root, tmp, mappings } = fixture(t);
  assert.equal((await resolveInInstance(mappings, '/abs-link')).hostPath, join(root, 'etc/passwd'));
  assert.equal((await resolveInInstance(mappings, '/etc/up/passwd')).hostPath, join(root, 'etc/passwd'));
  assert.equal(
    (await resolveInInstance(mappings, '/rootlink/etc/../../../etc/passwd')).hostPath,
    join(root, 'etc/passwd'),
  );
  assert.equal((await resolveInInstance(mappings, '/../../etc/passwd')).hostPath, join(root, 'etc/passwd'));
  assert.equal((await resolveInInstance(mappings, '/tmp/rel')).hostPath, join(root, 'etc/passwd'));
  assert.equal((await resolveInInstance(mappings, '/tmp/new/file')).hostPath, join(tmp, 'new/file'));
});

test('a final link can be kept, missing paths are reported, loops are refused', async (t) => {
  const { root, mappings } = fixture(t);
  assert.deepEqual(await resolveInInstance(mappings, '/abs-link', false), {
    instancePath: '/abs-link',
    hostPath: join(root, 'abs-link'),
    exists: true,
  });
  assert.equal((await resolveInInstance(mappings, '/nope/x/../y')).instancePath, '/nope/y');
  assert.equal((await resolveInInstance(mappings, '/nope/x')).exists, false);
  await assert.rejects(resolveInInstance(mappings, '/loop/x'), /too many symbolic links/);
  await assert.rejects(resolveInInstance(mappings, 'relative'), /absolute/);
});
