/** @module Tests the one layer merge with real overlayfs mounts: layer order, whiteouts, writable scratch, hostile paths. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngotError } from '../errors/ingot-error.ts';
import { CommandFailed } from '../process/index.ts';
import { withMergedLayers } from './merge-layers.ts';
import { overlayOptions } from './overlay.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (overlayfs mounts in a private mount namespace)' : undefined;

function layers(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-merge-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const top = join(dir, 'top');
  const bottom = join(dir, 'bottom');
  const scratch = join(dir, 'scratch');
  for (const d of [top, bottom, scratch]) mkdirSync(d);
  writeFileSync(join(bottom, 'a'), 'bottom a');
  writeFileSync(join(bottom, 'b'), 'bottom b');
  writeFileSync(join(bottom, 'gone'), 'hidden by a whiteout');
  writeFileSync(join(top, 'a'), 'top a');
  execFileSync('mknod', [join(top, 'gone'), 'c', '0', '0']);
  return { dir, top, bottom, scratch };
}

const list = (script: string) => (root: string) => ['sh', '-c', script, 'sh', root];

test('overlay options: lower-only or writable, and the refused paths', () => {
  assert.equal(overlayOptions({ lowerDirs: ['/l1', '/l2'] }), 'lowerdir=/l1:/l2');
  assert.equal(
    overlayOptions({ lowerDirs: ['/l'], upperDir: '/u', workDir: '/w' }),
    'lowerdir=/l,upperdir=/u,workdir=/w,redirect_dir=off,metacopy=off,index=off',
  );
  assert.match(
    overlayOptions({ lowerDirs: ['/l'], upperDir: '/u', workDir: '/w', volatile: true }),
    /,index=off,volatile$/,
  );
  for (const bad of ['/a:b', '/a,upperdir=/etc', '/a\\b', '/a\nb', ''])
    assert.throws(() => overlayOptions({ lowerDirs: ['/ok', bad] }), IngotError, JSON.stringify(bad));
  assert.throws(() => overlayOptions({ lowerDirs: ['/l'], upperDir: '/u:x', workDir: '/w' }), /may not contain/);
  assert.throws(() => overlayOptions({ lowerDirs: [] }), /at least one lower dir/);
  assert.throws(
    () => overlayOptions({ lowerDirs: Array(400).fill('/some/long/layer/dir') }),
    /too many overlay layers/,
  );
});

test('layers merge topmost first, whiteouts hide, and the mount ends with the command', { skip }, async (t) => {
  const { top, bottom, scratch } = layers(t);
  const r = await withMergedLayers([top, bottom], { scratchDir: scratch }, list('cat "$1/a"; echo; ls "$1"'));
  assert.equal(r.stdout, 'top a\na\nb\n');
  assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes('ingot-merge'), 'no mount left in this namespace');
  assert.deepEqual(readdirSync(scratch), [], 'scratch dirs removed');
});

test('a read-only merge of one layer works and refuses writes', { skip }, async (t) => {
  const { bottom, scratch } = layers(t);
  const r = await withMergedLayers([bottom], { scratchDir: scratch }, list('cat "$1/b"'));
  assert.equal(r.stdout, 'bottom b');
  const err = await withMergedLayers([bottom], { scratchDir: scratch }, list('echo x > "$1/new"')).catch((e) => e);
  assert.ok(err instanceof CommandFailed);
  assert.match(err.stderrTail, /Read-only file system/);
  assert.equal(existsSync(join(bottom, 'new')), false);
});

test('a writable merge lets the command write; the layers stay unchanged', { skip }, async (t) => {
  const { top, bottom, scratch } = layers(t);
  const r = await withMergedLayers(
    [top, bottom],
    { writable: true, scratchDir: scratch },
    list('echo changed > "$1/b"; rm "$1/a"; echo new > "$1/c"; cat "$1/b" "$1/c"'),
  );
  assert.equal(r.stdout, 'changed\nnew\n');
  assert.equal(readFileSync(join(bottom, 'b'), 'utf8'), 'bottom b');
  assert.equal(readFileSync(join(top, 'a'), 'utf8'), 'top a');
  assert.equal(existsSync(join(bottom, 'c')), false);
  assert.deepEqual(readdirSync(scratch), []);
});

test('hostile layer paths are refused before anything is mounted or made', { skip }, async (t) => {
  const { dir, bottom, scratch } = layers(t);
  for (const name of ['with:colon', 'with,comma']) {
    const hostile = join(dir, name);
    mkdirSync(hostile);
    writeFileSync(join(hostile, 'x'), '');
    let ran = false;
    await assert.rejects(
      withMergedLayers([hostile, bottom], { scratchDir: scratch }, () => {
        ran = true;
        return ['true'];
      }),
      (err: unknown) => err instanceof IngotError && /may not contain/.test(err.message),
    );
    assert.equal(ran, false);
  }
  await assert.rejects(
    withMergedLayers([bottom], { scratchDir: join(dir, 'with:colon'), writable: true }, () => ['true']),
    /may not contain/,
  );
  assert.deepEqual(readdirSync(scratch), []);
});
