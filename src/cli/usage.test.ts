import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import type { CommandModule } from './command.ts';

const dir = new URL('./commands/', import.meta.url);

test('every command has usage text, and none of its lines is wider than 100 columns', async () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  assert.ok(files.length >= 10, `commands found: ${files.join(', ')}`);
  const wide: string[] = [];
  for (const file of files) {
    const { command } = (await import(new URL(file, dir).href)) as { command: CommandModule };
    assert.match(command.usage, /^Usage: ingot /, `${file}: usage starts with "Usage: ingot"`);
    for (const line of command.usage.split('\n')) if (line.length > 100) wide.push(`${file} (${line.length}): ${line}`);
  }
  assert.deepEqual(wide, []);
});
