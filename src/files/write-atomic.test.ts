import { strict as assert } from 'node:assert';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tempPathBeside, writeFileAtomic } from './write-atomic.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingot-write-atomic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('replaces the content and leaves no temp file', async () => {
  const file = join(dir, 'a.json');
  writeFileSync(file, 'old');
  await writeFileAtomic(file, 'new', { mode: 0o600 });
  assert.equal(readFileSync(file, 'utf8'), 'new');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['a.json']);
});

test('concurrent writers in one process never share a temp file: one whole content wins', async () => {
  const file = join(dir, 'b.json');
  const contents = Array.from({ length: 20 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(10_000 + i) }));
  await Promise.all(contents.map((c) => writeFileAtomic(file, c)));
  assert.ok(contents.includes(readFileSync(file, 'utf8')));
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.startsWith('b.json')),
    ['b.json'],
  );
});

test('a failed rename removes the temp file and rethrows', async () => {
  const target = join(dir, 'is-a-dir');
  mkdirSync(join(target, 'child'), { recursive: true });
  await assert.rejects(writeFileAtomic(target, 'x'));
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.startsWith('is-a-dir.tmp')),
    [],
  );
});

test('the temp file is created exclusively: a link already at its name is not written through', async (t) => {
  const file = join(dir, 'c.json');
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'untouched');
  // The next temp name, made predictable: this process's counter goes up by one per call.
  t.mock.method(Math, 'random', () => 0.5);
  const seen = tempPathBeside(file);
  const next = seen.replace(/-(\d+)-([0-9a-z]*)$/, (_, n: string, r: string) => `-${Number(n) + 1}-${r}`);
  symlinkSync(victim, next);
  await assert.rejects(writeFileAtomic(file, 'new'), { code: 'EEXIST' });
  assert.equal(readFileSync(victim, 'utf8'), 'untouched');
});
