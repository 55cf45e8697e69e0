import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeFileAtomic } from './write-atomic.ts';

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
