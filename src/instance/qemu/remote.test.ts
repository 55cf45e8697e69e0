/** @module The exec wrapper and its kill, run by the host's own shell (they are plain POSIX sh). */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { execCommand, killCommand, newExecId } from './remote.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingot-remote-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sh = (script: string) => spawnSync('sh', ['-c', script], { encoding: 'utf8' });

test('an exec runs its program in cwd with env and returns its status', () => {
  const r = sh(execCommand(newExecId(), ['sh', '-c', 'echo "$X $(pwd)"; exit 3'], { X: 'a b' }, '/', dir));
  assert.equal(r.stdout, 'a b /\n');
  assert.equal(r.status, 3);
});

test('a kill sent before the exec started keeps the program from running', () => {
  const id = newExecId();
  const marker = join(dir, 'ran');
  assert.equal(sh(killCommand(id, dir)).status, 0);
  const r = sh(execCommand(id, ['sh', '-c', `echo yes > ${marker}`], {}, '/', dir));
  assert.equal(r.status, 137);
  assert.equal(existsSync(marker), false, 'the program ran after its kill');
  assert.equal(existsSync(join(dir, `${id}.cancel`)), false, 'the cancel marker was left behind');
});

test('a kill of a running exec ends its whole process group, background children too', async () => {
  const id = newExecId();
  const marker = join(dir, 'late');
  const child = spawn('sh', [
    '-c',
    execCommand(id, ['sh', '-c', `(sleep 1; echo late > ${marker}) & sleep 30`], {}, '/', dir),
  ]);
  const ended = new Promise<number | null>((resolve) => child.on('exit', resolve));
  for (let i = 0; !existsSync(join(dir, id)); i++) {
    assert.ok(i < 250, 'the exec never wrote its pid file');
    await sleep(20);
  }
  assert.equal(sh(killCommand(id, dir)).status, 0);
  await ended;
  await sleep(1500);
  assert.equal(existsSync(marker), false, 'a background child outlived the kill');
});
