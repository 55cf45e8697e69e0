/**
 * Several processes (the server, `ingot worker`s started together) open one SQLite file at the same
 * moment: each open waits for the others' locks instead of failing with "database is locked".
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'ingot-concurrent-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const OPENER = `
import { openDatabase } from ${JSON.stringify(new URL('./database.ts', import.meta.url).href)};
const db = openDatabase(process.argv[1]);
db.prepare('SELECT count(*) FROM schema_migrations').get();
db.close();
`;

function open(file: string, script: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** 30 rounds: four processes run `script` over one new file at once; every one must succeed. */
async function openAtOnce(script: string, prefix: string): Promise<void> {
  for (let round = 0; round < 30; round++) {
    const file = join(dir, `${prefix}-${round}.db`);
    const results = await Promise.all([1, 2, 3, 4].map(() => open(file, script)));
    for (const r of results) assert.equal(r.code, 0, `round ${round}: ${r.stderr.split('\n').slice(0, 8).join(' | ')}`);
  }
}

test('four processes opening a new database file at once all succeed', () => openAtOnce(OPENER, 'round'));

const CACHE_OPENER = `
import { CacheIndex } from ${JSON.stringify(new URL('../../cache/cache-index.ts', import.meta.url).href)};
new CacheIndex(process.argv[1]).lru();
`;

test('four processes opening a new layer-cache index at once all succeed', () => openAtOnce(CACHE_OPENER, 'cache'));
