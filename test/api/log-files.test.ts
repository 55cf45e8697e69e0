/** @module Build-log files of an older data directory move into the store once, lines and times kept. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { moveLogFilesToStore } from '../../src/services/logs/log-files.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

test('build.log files move into the store once, each line with its time; an image that logged since keeps its lines', async () => {
  const home = mkdtempSync(join(tmpdir(), 'ingot-log-files-'));
  const store = openSqliteStore(':memory:');
  try {
    const dir = (b: number) => join(home, 'images/us-east-1/123456789012/app/1.0.0', String(b));
    const arn = (b: number) => `arn:aws:imagebuilder:us-east-1:123456789012:image/app/1.0.0/${b}`;
    for (const b of [1, 2]) mkdirSync(dir(b), { recursive: true });
    writeFileSync(
      join(dir(1), 'build.log'),
      '2026-01-01T00:00:00.000Z build of app started\nno time on this line\n2026-01-01T00:00:02.500Z done\n',
    );
    writeFileSync(join(dir(2), 'build.log'), '2026-01-01T00:00:00.000Z old\n');
    await store.buildLogs.append(arn(2), '123456789012', [{ timestamp: 5, message: 'already in the store' }]);
    assert.equal(await moveLogFilesToStore(store, home), 2);
    assert.deepEqual(await store.buildLogs.read(arn(1), { limit: 10 }), [
      { seq: 1, timestamp: Date.parse('2026-01-01T00:00:00.000Z'), message: 'build of app started' },
      { seq: 2, timestamp: Date.parse('2026-01-01T00:00:00.000Z'), message: 'no time on this line' },
      { seq: 3, timestamp: Date.parse('2026-01-01T00:00:02.500Z'), message: 'done' },
    ]);
    assert.deepEqual(
      (await store.buildLogs.read(arn(2), { limit: 10 })).map((l) => l.message),
      ['already in the store'],
    );
    assert.ok(existsSync(join(dir(1), 'build.log.in-store')));
    assert.equal(existsSync(join(dir(1), 'build.log')), false);
    writeFileSync(join(dir(1), 'build.log'), '2026-01-01T00:00:00.000Z a stray file\n');
    assert.equal(await moveLogFilesToStore(store, home), 0, 'done once');
  } finally {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
});
