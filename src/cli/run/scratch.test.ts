import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { processStart } from '../../process/index.ts';
import { makeScratch, reapStaleScratch } from './scratch.ts';

test("the next run removes a killed run's temporary dir; a live run's, an unowned one and other files stay", async () => {
  const root = mkdtempSync(join(tmpdir(), 'ingot-scratch-test-'));
  try {
    const live = await makeScratch('ingot-run-', root);
    assert.deepEqual(JSON.parse(readFileSync(join(live, 'owner.json'), 'utf8')), {
      pid: process.pid,
      start: processStart(process.pid),
    });
    const gone = spawnSync('true').pid!; // exited: its pid names no process now
    const killed = join(root, 'ingot-shell-killed');
    mkdirSync(killed);
    writeFileSync(join(killed, 'owner.json'), JSON.stringify({ pid: gone, start: '4242' }));
    writeFileSync(join(killed, 'overlay.qcow2'), 'what the guest wrote');
    const unowned = join(root, 'ingot-run-older-ingot');
    mkdirSync(unowned);
    writeFileSync(join(root, 'ingot-run-a-file'), '');
    assert.deepEqual(await reapStaleScratch(root), [killed]);
    assert.equal(existsSync(killed), false);
    assert.ok(existsSync(live) && existsSync(unowned) && existsSync(join(root, 'ingot-run-a-file')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
