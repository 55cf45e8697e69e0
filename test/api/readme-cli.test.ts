/**
 * @module The README's aws CLI walkthrough runs as written: its `ib ...` commands (the `ib` alias
 * pointed at a real server, the first aws CLI on the machine) all succeed, from the repository root.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { awsClis, awsEnv } from '../helpers/aws-cli.ts';
import { startTestServer } from '../helpers/server.ts';

const root = join(import.meta.dirname, '../..');
const run = promisify(execFile);

/** The `ib ...` commands of the README's "Using it with the aws CLI" block, continuation lines joined. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using it with the aws CLI'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const lines = block.replace(/\\\n\s*/g, ' ').split('\n');
  // A quoted JSON argument may span lines: join lines until the single quotes balance.
  const commands: string[] = [];
  let current = '';
  for (const line of lines) {
    current = current ? `${current} ${line.trim()}` : line;
    if ((current.match(/'/g) ?? []).length % 2 === 0) {
      if (current.startsWith('ib ')) commands.push(current);
      current = '';
    }
  }
  return commands;
}

test("the README's aws CLI commands run as written against a real server", async (tc) => {
  const cli = awsClis()[0];
  if (!cli) return tc.skip('no aws CLI installed (apt-get install awscli)');
  const commands = readmeCommands();
  assert.ok(commands.length >= 7, `the README shows the aws CLI flow (${commands.length} commands found)`);
  const t = await startTestServer();
  const home = mkdtempSync(join(tmpdir(), 'ingot-readme-'));
  try {
    for (const command of commands) {
      const script = `ib() { "${cli.path}" imagebuilder --endpoint-url "${t.server.url}" --output json "$@"; }\n${command}`;
      await run('bash', ['-c', script], { cwd: root, env: awsEnv(home) }).catch((err: { stderr?: string }) =>
        assert.fail(`README command failed: ${command}\n${err.stderr ?? String(err)}`),
      );
    }
  } finally {
    await t.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
