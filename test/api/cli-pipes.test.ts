/** @module `ingot audit | head`: a reader that closes the pipe early ends the command quietly (no EPIPE stack trace). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { INGOT_BIN } from '../helpers/cli.ts';

test('ingot audit | head -1 prints one line and no broken-pipe error', async () => {
  const home = mkdtempSync(join(tmpdir(), 'ingot-pipes-'));
  try {
    const store = openSqliteStore(join(home, 'ingot.db'));
    for (let i = 0; i < 3000; i++)
      await store.audit.append({
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        accountId: '123456789012',
        accessKeyId: 'AKIAINGOTTESTKEY0001',
        operation: 'CreateComponent',
        resourceArn: `arn:aws:imagebuilder:us-east-1:123456789012:component/c${i}/1.0.0/1`,
        sourceIp: '127.0.0.1',
        outcome: 'success',
        requestId: `r-${i}`,
      });
    await store.close();
    const run = spawnSync('sh', ['-c', `"${INGOT_BIN}" audit | head -1; exit 0`], {
      env: { ...process.env, INGOT_HOME: home },
      encoding: 'utf8',
    });
    assert.equal(run.stdout.trim().split('\n').length, 1);
    assert.match(run.stdout, /CreateComponent/);
    assert.doesNotMatch(run.stderr, /EPIPE|Error|at /, run.stderr);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
