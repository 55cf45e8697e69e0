/**
 * @module The README's aws CLI walkthrough runs as written: its `ib ...` commands (the `ib` alias
 * pointed at a real server, the first aws CLI on the machine) all succeed, from the repository root.
 * (test/disk/boot-modes.slow.ts runs the same commands with a worker and boots the disk they make.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { awsClis } from '../helpers/aws-cli.ts';
import { readmeCommands, runIb } from '../helpers/readme-cli.ts';
import { startTestServer } from '../helpers/server.ts';

test("the README's aws CLI commands run as written against a real server", async (tc) => {
  const cli = awsClis()[0];
  if (!cli) return tc.skip('no aws CLI installed (apt-get install awscli)');
  const commands = readmeCommands();
  assert.ok(commands.length >= 7, `the README shows the aws CLI flow (${commands.length} commands found)`);
  const t = await startTestServer();
  const home = mkdtempSync(join(tmpdir(), 'ingot-readme-'));
  try {
    for (const command of commands) await runIb(cli.path, t.server.url, home, command);
  } finally {
    await t.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
