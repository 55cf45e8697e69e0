/**
 * @module Test support: the `ib ...` commands of the README's "Using it with the aws CLI" block,
 * run as written by a real aws CLI (the README's `ib` alias pointed at a test server).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { awsEnv } from './aws-cli.ts';

/** The repository root: the README's commands name files relative to it (`file://examples/...`). */
export const REPO_ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);

/** The `ib ...` commands of the README's "Using it with the aws CLI" block, continuation lines joined. */
export function readmeCommands(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
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

/** Runs one `ib ...` command with the CLI at `cli` against `endpoint`; its stdout (JSON), or a failed assertion's message. */
export async function runIb(cli: string, endpoint: string, home: string, command: string): Promise<string> {
  const script = `ib() { "${cli}" imagebuilder --endpoint-url "${endpoint}" --output json "$@"; }\n${command}`;
  try {
    return (await run('bash', ['-c', script], { cwd: REPO_ROOT, env: awsEnv(home) })).stdout;
  } catch (err) {
    throw new Error(`README command failed: ${command}\n${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
}
