/** @module Tests cleanupStaleSandboxes: what a killed process left (mounts, cgroups, dirs) is removed; live sandboxes stay. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapUnavailable, sharedTestBase } from '../../../test/helpers/test-base.ts';
import { cleanupStaleSandboxes, createSandboxInstance } from './index.ts';
import { mountsUnder, unmount } from './mounts.ts';

const unavailable =
  bootstrapUnavailable() ?? (existsSync('/usr/bin/bwrap') ? undefined : 'bubblewrap is not installed');

test('a SIGKILLed owner leaves nothing after cleanupStaleSandboxes; live sandboxes are kept', {
  skip: unavailable ?? false,
  timeout: 120_000,
}, async (t) => {
  const base = await sharedTestBase();
  const home = mkdtempSync('/tmp/ingot-cleanup-test-');
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const child = join(home, 'owner.ts');
  writeFileSync(
    child,
    [
      `import { createSandboxInstance } from ${JSON.stringify(join(import.meta.dirname, 'index.ts'))};`,
      `const sb = await createSandboxInstance({ ingotHome: ${JSON.stringify(home)}, lowerDirs: [${JSON.stringify(base.rootfsDir)}], upperDir: ${JSON.stringify(join(home, 'upper'))}, limits: { memoryMiB: 256 } });`,
      `void sb.exec({ argv: ['sleep', '300'] });`,
      `setTimeout(() => console.log(sb.id), 300);`,
      `setInterval(() => {}, 1000);`,
    ].join('\n'),
  );
  const owner = spawn(process.execPath, [child], { stdio: ['ignore', 'pipe', 'inherit'] });
  const id = await new Promise<string>((resolve) =>
    owner.stdout.once('data', (c: Buffer) => resolve(c.toString().trim())),
  );
  assert.equal((await mountsUnder(home)).length, 2, 'the overlay and the build network namespace');
  const live = await createSandboxInstance({ ingotHome: home, rootDir: base.rootfsDir });
  try {
    assert.deepEqual(await cleanupStaleSandboxes(home), [], 'a live owner is not stale');
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    const removed = await cleanupStaleSandboxes(home);
    assert.ok(removed.includes(join(home, 'run/sandboxes', id)), removed.join(', '));
    assert.deepEqual(await mountsUnder(home), [join(home, 'run/sandboxes', live.id, 'netns')], 'only the live one');
    assert.equal(
      execFileSync('sh', ['-c', `find /sys/fs/cgroup -maxdepth 6 -name 'ingot-${id}-*'`], { encoding: 'utf8' }),
      '',
    );
    assert.deepEqual(readdirSync(join(home, 'run/sandboxes')), [live.id]);
    assert.equal((await live.exec({ argv: ['true'] })).exitCode, 0);
  } finally {
    await live.close();
  }
  assert.deepEqual(readdirSync(join(home, 'run/sandboxes')), []);
  assert.deepEqual(await mountsUnder(home), []);
});

test('cgroups of a dead owner whose INGOT_HOME is gone are found by name and removed', {
  skip: unavailable ?? false,
  timeout: 60_000,
}, async (t) => {
  const base = await sharedTestBase();
  const home = mkdtempSync('/tmp/ingot-orphan-test-');
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const child = join(home, 'owner.ts');
  writeFileSync(
    child,
    [
      `import { createSandboxInstance } from ${JSON.stringify(join(import.meta.dirname, 'index.ts'))};`,
      `const sb = await createSandboxInstance({ ingotHome: ${JSON.stringify(join(home, 'gone'))}, rootDir: ${JSON.stringify(base.rootfsDir)} });`,
      `console.log(sb.id);`,
      `setInterval(() => {}, 1000);`,
    ].join('\n'),
  );
  const owner = spawn(process.execPath, [child], { stdio: ['ignore', 'pipe', 'inherit'] });
  const id = await new Promise<string>((resolve) =>
    owner.stdout.once('data', (c: Buffer) => resolve(c.toString().trim())),
  );
  const find = () =>
    execFileSync('sh', ['-c', `find /sys/fs/cgroup -maxdepth 6 -name 'ingot-${id}-p${owner.pid}'`], {
      encoding: 'utf8',
    }).trim();
  assert.notEqual(find(), '');
  owner.kill('SIGKILL');
  await new Promise((resolve) => owner.once('exit', resolve));
  for (const m of await mountsUnder(join(home, 'gone'))) await unmount(m); // the network namespace's mount
  rmSync(join(home, 'gone'), { recursive: true });
  const removed = await cleanupStaleSandboxes(home);
  assert.ok(
    removed.some((d) => d.endsWith(`/ingot-${id}-p${owner.pid}`)),
    removed.join(', '),
  );
  assert.equal(find(), '');
});
