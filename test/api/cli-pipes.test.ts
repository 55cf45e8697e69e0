/**
 * @module `ingot audit | head`: a reader that closes the pipe early ends the command quietly (no EPIPE
 * stack trace). And `nohup ingot server` survives a hang-up.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Starts `ingot server` through `sh -c` (with `nohup` in front or not) and sends it SIGHUP once it listens. */
async function hangUp(nohup: boolean): Promise<{ alive: boolean; log: string }> {
  const home = mkdtempSync(join(tmpdir(), 'ingot-hup-'));
  const log = join(home, 'server.log');
  writeFileSync(log, '');
  const child = spawn(
    'sh',
    ['-c', `exec ${nohup ? 'nohup ' : ''}"${INGOT_BIN}" server --port 0 --no-worker --quiet >"${log}" 2>&1`],
    { env: { ...process.env, INGOT_HOME: home }, stdio: 'ignore' },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    for (let i = 0; i < 200 && !/listening on/.test(readFileSync(log, 'utf8')); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(readFileSync(log, 'utf8'), /listening on/);
    child.kill('SIGHUP');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 1500))]);
    return { alive: !gone, log: readFileSync(log, 'utf8') };
  } finally {
    child.kill('SIGKILL');
    await exited;
    rmSync(home, { recursive: true, force: true });
  }
}

test('under nohup a hang-up does not end `ingot server` (Node resets the ignored SIGHUP; bin/ingot passes it on)', async () => {
  const kept = await hangUp(true);
  assert.equal(kept.alive, true, kept.log);
  const plain = await hangUp(false);
  assert.equal(plain.alive, false, 'without nohup SIGHUP still ends it');
});
