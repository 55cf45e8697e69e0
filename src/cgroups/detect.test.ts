/** @module Tests cgroup layout detection on sample proc files and on this machine. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectCgroups, detectLayout } from './detect.ts';

const HYBRID_CGROUP = `9:name=systemd:/
8:pids:/
4:memory:/process_api/abc
1:cpu:/
0::/
`;
const HYBRID_MOUNTS = `31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

test('hybrid v1 layout: one hierarchy per limit controller, below the own path', () => {
  const layout = detectLayout(HYBRID_CGROUP, HYBRID_MOUNTS, () => []);
  assert.deepEqual(layout, {
    version: 'v1',
    hierarchies: [
      { ownDir: '/sys/fs/cgroup/cpu', controllers: ['cpu'] },
      { ownDir: '/sys/fs/cgroup/memory/process_api/abc', controllers: ['memory'] },
      { ownDir: '/sys/fs/cgroup/pids', controllers: ['pids'] },
    ],
  });
});

test('co-mounted v1 controllers (cpu,cpuacct) count once', () => {
  const layout = detectLayout(
    '3:cpu,cpuacct:/a/b\n0::/\n',
    '1 0 0:1 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n',
    () => [],
  );
  assert.deepEqual(layout, {
    version: 'v1',
    hierarchies: [{ ownDir: '/sys/fs/cgroup/cpu,cpuacct/a/b', controllers: ['cpu'] }],
  });
});

test('pure v2: own directory and its controllers; a supervisor leaf maps back to its parent', () => {
  const mounts = '1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n';
  const seen: string[] = [];
  const layout = detectLayout('0::/user.slice/x.scope\n', mounts, (dir) => (seen.push(dir), ['cpu', 'memory']));
  assert.deepEqual(layout, {
    version: 'v2',
    hierarchy: { ownDir: '/sys/fs/cgroup/user.slice/x.scope', controllers: ['cpu', 'memory'] },
  });
  const again = detectLayout('0::/user.slice/x.scope/ingot-supervisor\n', mounts, () => []);
  assert.equal(again.version === 'v2' && again.hierarchy.ownDir, '/sys/fs/cgroup/user.slice/x.scope');
});

test('v2 mounted at a sub-root (container): own path is relative to the mount root', () => {
  const layout = detectLayout('0::/pod/c1\n', '1 0 0:1 /pod /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n', () => []);
  assert.equal(layout.version === 'v2' && layout.hierarchy.ownDir, '/sys/fs/cgroup/c1');
});

test('nothing usable is reported with a reason', () => {
  const layout = detectLayout('0::/\n', '', () => []);
  assert.equal(layout.version, 'none');
});

test('this machine is detected as v1 or v2 with directories that exist', () => {
  const layout = detectCgroups();
  assert.ok(['v1', 'v2', 'none'].includes(layout.version));
});
