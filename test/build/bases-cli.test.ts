/** @module `ingot bases`: lists the managed bases, refuses unknown names. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runIngot } from '../helpers/cli.ts';

test('ingot bases list shows both managed bases; refresh refuses an unknown one', async () => {
  const home = mkdtempSync(join(tmpdir(), 'ingot-bases-cli-'));
  try {
    const list = await runIngot(['bases', 'list'], { INGOT_HOME: home, INGOT_BASES_HOME: home });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^debian-12\s+Debian 12\s+not bootstrapped yet$/m);
    assert.match(list.stdout, /^debian-13\s+Debian 13\s+not bootstrapped yet$/m);
    const bad = await runIngot(['bases', 'refresh', 'debian-14'], { INGOT_HOME: home, INGOT_BASES_HOME: home });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown base 'debian-14'; known: debian-12, debian-13/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
