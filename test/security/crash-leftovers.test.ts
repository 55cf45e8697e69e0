/**
 * @module Fault test: a build process killed with SIGKILL mid-step leaves a work dir, an overlay
 * mount, a network namespace, cgroups, a slirp4netns helper and step processes; a surviving worker's
 * `reapCrashLeftovers` removes every one of them, and keeps what `--keep-on-failure` kept.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sharedTestBase } from '../helpers/test-base.ts';
import { mountsUnder } from '../../src/instance/sandbox/mounts.ts';
import { reapCrashLeftovers } from '../../src/worker/recover.ts';
import { baseUnavailable, toolMissing } from './helpers.ts';

const skip =
  (process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs, cgroups)' : undefined) ??
  baseUnavailable() ??
  toolMissing('bwrap', 'apt-get install bubblewrap') ??
  toolMissing('slirp4netns', 'apt-get install slirp4netns') ??
  false;

const home = mkdtempSync('/tmp/ingot-crash-test-');
after(() => rmSync(home, { recursive: true, force: true }));

const src = (p: string) => JSON.stringify(join(import.meta.dirname, '../../src', p));
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
const cgroupsOf = (id: string) =>
  execFileSync('sh', ['-c', `find /sys/fs/cgroup -maxdepth 7 -type d -name 'ingot-${id}-*'`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

test('SIGKILL of a building process: a surviving worker reaps mount, cgroups, processes and dirs', {
  skip,
  timeout: 120_000,
}, async () => {
  const base = await sharedTestBase();
  const marker = `ingot-crash-step-${process.pid}`;
  const owner = join(home, 'owner.ts');
  writeFileSync(
    owner,
    [
      `import { createBuildWorkDir } from ${src('engine/work-dirs.ts')};`,
      `import { createSandboxInstance } from ${src('instance/sandbox/index.ts')};`,
      `const workDir = await createBuildWorkDir(${JSON.stringify(home)});`,
      `const sb = await createSandboxInstance({ ingotHome: ${JSON.stringify(home)}, lowerDirs: [${JSON.stringify(base.rootfsDir)}], upperDir: workDir + '/upper', workDir: workDir + '/ovl-work', limits: { memoryMiB: 256, pids: 100 } });`,
      `void sb.exec({ argv: ['bash', '-c', 'exec -a ${marker} sleep 300'] });`,
      `setTimeout(() => console.log(JSON.stringify({ id: sb.id, workDir })), 1500);`,
      `setInterval(() => {}, 1000);`,
    ].join('\n'),
  );
  const child = spawn(process.execPath, [owner], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { id, workDir } = await new Promise<{ id: string; workDir: string }>((resolve) =>
    child.stdout.once('data', (c: Buffer) => resolve(JSON.parse(c.toString()))),
  );
  const sandboxDir = join(home, 'run/sandboxes', id);
  const state = JSON.parse(readFileSync(join(sandboxDir, 'state.json'), 'utf8')) as {
    helpers: { pid: number }[];
  };
  const stepPids = () =>
    execFileSync('sh', ['-c', `pgrep -f '^${marker}' || true`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  assert.equal(stepPids().length, 1, 'the step runs');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  // What the dead process left.
  assert.equal((await mountsUnder(sandboxDir)).length, 2, 'overlay + network namespace');
  assert.ok(cgroupsOf(id).length > 0);
  assert.ok(existsSync(workDir));

  // A kept work dir (--keep-on-failure) of a dead owner stays.
  const kept = join(home, 'work', 'build-kept');
  mkdirSync(kept);
  writeFileSync(join(kept, 'owner.json'), JSON.stringify({ pid: 999_999_999, start: 'x' }));
  writeFileSync(join(kept, 'kept'), '');

  const removed = await reapCrashLeftovers(home);
  assert.ok(removed.includes(sandboxDir), removed.join(', '));
  assert.ok(removed.includes(workDir), removed.join(', '));
  assert.deepEqual(await mountsUnder(home), [], 'mounts left');
  assert.deepEqual(cgroupsOf(id), [], 'cgroups left');
  assert.deepEqual(stepPids(), [], 'step processes left');
  await new Promise((r) => setTimeout(r, 200));
  for (const h of state.helpers) assert.equal(alive(h.pid), false, `helper ${h.pid} (slirp4netns) left`);
  assert.deepEqual(readdirSync(join(home, 'run/sandboxes')), []);
  assert.deepEqual(readdirSync(join(home, 'work')), ['build-kept']);
});
