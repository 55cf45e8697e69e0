/** @module Tests child cgroups on this machine: limits written, processes joined, killed, removed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, startCommand } from '../process/index.ts';
import { createCgroup } from './cgroup.ts';
import { detectCgroups } from './detect.ts';
import type { CgroupLayout } from './detect.ts';
import { limitFiles } from './limits.ts';

const layout = detectCgroups();
const canWrite = process.getuid?.() === 0 && layout.version !== 'none';

/** Starts `sleep` inside the cgroup (the shell joins it before exec) and returns its pid. */
function sleeperIn(procsFiles: string[]): Promise<number> {
  const script = 'for f in "$@"; do echo $$ > "$f"; done; exec sleep 60';
  const child = spawn('/bin/sh', ['-c', script, 'sh', ...procsFiles], { stdio: 'ignore', detached: true });
  child.unref();
  return new Promise((resolve) => setTimeout(() => resolve(child.pid ?? -1), 100));
}

test('limit files for v1 and v2', () => {
  const limits = { cpus: 1.5, memoryMiB: 512, pids: 100 };
  assert.deepEqual(limitFiles('v1', ['cpu', 'memory', 'pids'], limits), [
    ['cpu.cfs_period_us', '100000'],
    ['cpu.cfs_quota_us', '150000'],
    ['memory.limit_in_bytes', '536870912'],
    ['memory.memsw.limit_in_bytes', '536870912'],
    ['pids.max', '100'],
  ]);
  assert.deepEqual(limitFiles('v2', ['memory'], limits), [
    ['memory.max', '536870912'],
    ['memory.swap.max', '0'],
  ]);
});

test('a cgroup below our own with limits; its processes are killed and it is removed', {
  skip: canWrite ? false : 'needs root and a cgroup hierarchy',
}, async () => {
  const name = `ingot-test-${process.pid}`;
  const { cgroup, warnings } = await createCgroup(name, { cpus: 0.5, memoryMiB: 64, pids: 50 }, layout);
  assert.ok(cgroup, warnings.join('; '));
  try {
    for (const dir of cgroup.dirs) assert.ok(dir.endsWith(`/${name}`));
    const memDir = cgroup.dirs.find(
      (d) => existsSync(join(d, 'memory.limit_in_bytes')) || existsSync(join(d, 'memory.max')),
    );
    if (memDir) {
      const file = cgroup.version === 'v1' ? 'memory.limit_in_bytes' : 'memory.max';
      assert.equal(readFileSync(join(memDir, file), 'utf8').trim(), String(64 * 1024 * 1024));
    }
    const pid = await sleeperIn(cgroup.procsFiles);
    assert.ok((await cgroup.pids()).includes(pid));
    await cgroup.killAll();
    assert.deepEqual(await cgroup.pids(), []);
  } finally {
    await cgroup.remove();
  }
  for (const dir of cgroup.dirs) assert.equal(existsSync(dir), false);
});

test('v2 mechanics without controllers (the hybrid unified tree): warnings, yet kill and remove work', {
  skip: canWrite && existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? false : 'no writable hybrid cgroup2 tree here',
}, async () => {
  const own =
    readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'))
      ?.slice(3) ?? '/';
  const v2: CgroupLayout = {
    version: 'v2',
    hierarchy: { ownDir: join('/sys/fs/cgroup/unified', own), controllers: [] },
  };
  const { cgroup, warnings } = await createCgroup(`ingot-test2-${process.pid}`, { cpus: 1, memoryMiB: 64 }, v2);
  assert.ok(cgroup);
  assert.match(warnings.join('\n'), /controllers not available/);
  const pid = await sleeperIn(cgroup.procsFiles);
  assert.deepEqual(await cgroup.pids(), [pid]);
  await cgroup.remove();
  assert.equal(existsSync(cgroup.dirs[0] ?? ''), false);
});

test('the process runner starts a command inside a cgroup (cgroupProcs): its pid limit holds from the start', {
  skip: canWrite ? false : 'needs root and a cgroup hierarchy',
}, async () => {
  const { cgroup, warnings } = await createCgroup(`ingot-test-run-${process.pid}`, { pids: 8 }, layout);
  assert.ok(cgroup, warnings.join('; '));
  try {
    const own = await runCommand(['cat', '/proc/self/cgroup'], { cgroupProcs: cgroup.procsFiles });
    assert.match(own.stdout, new RegExp(`/ingot-test-run-${process.pid}$`, 'm'));
    if (cgroup.dirs.some((d) => existsSync(join(d, 'pids.max')))) {
      const forks = await runCommand(['sh', '-c', 'for i in $(seq 1 30); do sleep 1 & done; wait'], {
        cgroupProcs: cgroup.procsFiles,
        check: false,
      });
      assert.match(forks.stderr, /fork|resource temporarily unavailable/i, 'the 9th process was refused');
    }
    const sleeper = startCommand(['sleep', '60'], { cgroupProcs: cgroup.procsFiles });
    await new Promise((r) => setTimeout(r, 100));
    assert.ok((await cgroup.pids()).includes(sleeper.pid ?? -1), 'the exec keeps the joined pid');
    sleeper.kill();
    await sleeper.done.catch(() => {});
    const refused = await runCommand(['true'], { cgroupProcs: ['/proc/1/no-such-cgroup.procs'], check: false });
    assert.equal(refused.exitCode, 125, 'a cgroup that cannot be joined stops the command before it runs');
  } finally {
    await cgroup.remove();
  }
});

test('no cgroups: a warning value, not an exception', async () => {
  const result = await createCgroup('x', { cpus: 1 }, { version: 'none', reason: 'test' });
  assert.equal(result.cgroup, null);
  assert.match(result.warnings[0] ?? '', /without limits/);
});

test('a cgroup name cannot climb the tree', async () => {
  await assert.rejects(createCgroup('../x', {}, layout));
});
