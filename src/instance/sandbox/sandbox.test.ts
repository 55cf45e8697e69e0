/** @module Sandbox instance: the conformance suite, then overlay/in-place behaviour, isolation and limits on a real debian-12 base. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapUnavailable, sharedTestBase } from '../../../test/helpers/test-base.ts';
import type { BaseImage } from '../../bases/store.ts';
import { CONFORMANCE_TESTS, runInstanceConformance } from '../common.case.test.ts';
import { createSandboxInstance } from './index.ts';
import type { SandboxCommonOptions } from './options.ts';
import { mountsUnder } from './mounts.ts';

function unavailableReason(): string | undefined {
  const reason = bootstrapUnavailable();
  if (reason) return reason;
  try {
    execFileSync('sh', ['-c', 'command -v bwrap'], { stdio: 'ignore' });
  } catch {
    return 'bubblewrap is not installed';
  }
  return undefined;
}

const unavailable = unavailableReason();
const base: BaseImage | undefined = unavailable ? undefined : await sharedTestBase();
const home = mkdtempSync('/tmp/ingot-sandbox-test-');
process.env.INGOT_HOME = home;
after(async () => {
  assert.deepEqual(await mountsUnder(home), [], 'mounts left behind');
  if (!unavailable) assert.deepEqual(readdirSync(join(home, 'run/sandboxes')), [], 'runtime dirs left behind');
  rmSync(home, { recursive: true, force: true });
});
const skip = unavailable ?? false;
const sh = (script: string) => ['/bin/sh', '-c', script];

function overlay(extra: SandboxCommonOptions = {}) {
  if (!base) throw new Error('no base');
  const upperDir = mkdtempSync(join(home, 'upper-'));
  return {
    upperDir,
    sandbox: createSandboxInstance({ ingotHome: home, lowerDirs: [base.rootfsDir], upperDir, ...extra }),
  };
}

runInstanceConformance({
  name: 'sandbox',
  newInstance: () => overlay().sandbox,
  ...(unavailable ? { skip: [{ reason: unavailable, tests: CONFORMANCE_TESTS }] } : {}),
});

test('overlay: apt works, writes and deletions land in upperDir, the base is untouched', { skip }, async () => {
  const { upperDir, sandbox } = overlay();
  const sb = await sandbox;
  const baseRoot = base?.rootfsDir ?? '';
  const etcBefore = statSync(join(baseRoot, 'etc')).mtimeMs;
  try {
    const apt = await sb.exec({ argv: ['apt-get', '--version'] });
    assert.equal(apt.exitCode, 0, apt.stderr);
    assert.match(apt.stdout, /^apt \d/);
    assert.equal((await sb.exec({ argv: sh('echo hi > /etc/x && rm /etc/hostname') })).exitCode, 0);
  } finally {
    await sb.close();
  }
  assert.equal(readFileSync(join(upperDir, 'etc/x'), 'utf8'), 'hi\n');
  assert.equal(existsSync(join(baseRoot, 'etc/x')), false);
  assert.ok(existsSync(join(baseRoot, 'etc/hostname')));
  const whiteout = lstatSync(join(upperDir, 'etc/hostname'));
  assert.ok(whiteout.isCharacterDevice() && whiteout.rdev === 0, 'deletion is an overlayfs whiteout');
  assert.equal(existsSync(join(upperDir, 'etc/resolv.conf')), false, 'DNS mount leaves no trace');
  assert.equal(existsSync(join(upperDir, 'tmp')), false);
  assert.equal(statSync(join(baseRoot, 'etc')).mtimeMs, etcBefore);
});

test('a step cannot write to the host: /tmp, ../../.., absolute symlinks, chroot escape', { skip }, async () => {
  const { upperDir, sandbox } = overlay();
  const sb = await sandbox;
  const hostDir = mkdtempSync('/var/tmp/ingot-host-'); // not under /tmp: that is private inside
  const name = `ingot-escape-${process.pid}`;
  try {
    const script = [
      `echo x > /tmp/${name}`,
      `cd / && cd ../../.. && echo x > ${name}`,
      `mkdir -p ${hostDir} && echo x > ${hostDir}/direct`,
      `ln -s ${hostDir}/victim /etc/victim && echo x > /etc/victim`,
      // The classic chroot(2) escape: useless after pivot_root, the host is not in the namespace.
      `perl -e 'mkdir "/esc"; chroot "/esc" or die; chdir ".." for 1..64; chroot "."; open(F, ">", "${hostDir}/perl") and print F "x"'`,
      'mount -t tmpfs none /mnt 2>/dev/null && echo MOUNTED',
      'echo 1 > /proc/sys/kernel/sysrq 2>/dev/null && echo SYSCTL',
    ].join('; ');
    const r = await sb.exec({ argv: sh(script) });
    assert.doesNotMatch(r.stdout, /MOUNTED|SYSCTL/);
  } finally {
    await sb.close();
  }
  assert.equal(existsSync(`/tmp/${name}`), false);
  assert.equal(existsSync(`/${name}`), false);
  assert.deepEqual(readdirSync(hostDir), []);
  assert.ok(existsSync(join(upperDir, hostDir.slice(1), 'victim')), 'the link target was created inside the instance');
  assert.ok(existsSync(join(upperDir, hostDir.slice(1), 'perl')), 'the chroot "escape" wrote inside the instance');
  rmSync(hostDir, { recursive: true });
});

test('two sandboxes at once do not see each other', { skip }, async () => {
  const [a, b] = await Promise.all([overlay().sandbox, overlay().sandbox]);
  try {
    await Promise.all([
      a.exec({ argv: sh('echo a > /root/mine; echo a > /tmp/mine') }),
      b.exec({ argv: sh('sleep 0.2') }),
    ]);
    const r = await b.exec({ argv: sh('cat /root/mine /tmp/mine 2>&1; ls /proc | grep -c "^[0-9]"') });
    assert.match(r.stdout, /No such file/);
    assert.notEqual(a.rootDir, b.rootDir);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('options: hostname, env, defaults; limits applied to the instance cgroup', { skip }, async () => {
  const { sandbox } = overlay({
    hostname: 'builder',
    env: { FOO: 'bar' },
    limits: { cpus: 1, memoryMiB: 96, pids: 300 },
  });
  const sb = await sandbox;
  try {
    const r = await sb.exec({
      argv: sh('cat /proc/sys/kernel/hostname; echo "$FOO $HOME $DEBIAN_FRONTEND $PATH"; cat /proc/self/cgroup'),
    });
    assert.match(r.stdout, /^builder\nbar \/root noninteractive \/usr\/local\/sbin:/);
    // Its own cgroup namespace: the step sees its cgroup as the root, not the host's tree.
    assert.doesNotMatch(r.stdout, new RegExp(`ingot-${sb.id}`));
    assert.match(r.stdout, /^\d+:memory:\/$/m);
    const hog = await sb.exec({ argv: ['perl', '-e', '$x = "a" x (400 * 1024 * 1024); print "survived\\n"'] });
    assert.doesNotMatch(hog.stdout, /survived/, 'the memory limit was not enforced');
  } finally {
    await sb.close();
  }
  const cgroupsLeft = execFileSync('sh', ['-c', `find /sys/fs/cgroup -maxdepth 6 -name 'ingot-${sb.id}-*'`], {
    encoding: 'utf8',
  });
  assert.equal(cgroupsLeft, '');
});

test('in place: modifies the root, gets DNS (slirp forwarder) without leaving a trace', { skip }, async () => {
  const rootDir = join(home, 'inplace');
  execFileSync('cp', ['-a', base?.rootfsDir ?? '', rootDir]);
  rmSync(join(rootDir, 'etc/resolv.conf'));
  const sb = await createSandboxInstance({ ingotHome: home, rootDir });
  try {
    assert.equal(sb.rootDir, rootDir);
    const r = await sb.exec({ argv: sh('echo made > /root/y; cat /etc/resolv.conf') });
    assert.match(r.stdout, /^nameserver 10\.0\.2\.3\n/);
  } finally {
    await sb.close();
  }
  assert.equal(readFileSync(join(rootDir, 'root/y'), 'utf8'), 'made\n');
  assert.equal(existsSync(join(rootDir, 'etc/resolv.conf')), false);
  rmSync(rootDir, { recursive: true });
});

test('overlay with upperDir on another file system gets a work dir there, removed on close', {
  skip: unavailable ?? (existsSync('/dev/shm') ? false : 'no /dev/shm'),
}, async () => {
  const outer = mkdtempSync('/dev/shm/ingot-upper-');
  const upperDir = join(outer, 'upper');
  const sb = await createSandboxInstance({ ingotHome: home, lowerDirs: [base?.rootfsDir ?? ''], upperDir });
  try {
    assert.equal((await sb.exec({ argv: sh('echo on-shm > /srv/f') })).exitCode, 0);
    assert.ok(readdirSync(outer).some((e) => e.startsWith('.upper.work-')));
  } finally {
    await sb.close();
  }
  assert.deepEqual(readdirSync(outer), ['upper']);
  assert.equal(readFileSync(join(upperDir, 'srv/f'), 'utf8'), 'on-shm\n');
  rmSync(outer, { recursive: true });
});

test('a throwaway sandbox (a test instance) and one its caller syncs (a build instance) mount their overlay volatile, others do not', {
  skip,
}, async () => {
  const overlayOptionsAt = (root: string) =>
    readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .find((l) => l.split(' ')[4] === root && l.includes(' - overlay '))
      ?.split(' ')
      .at(-1);
  for (const [throwaway, syncedByCaller] of [
    [true, false],
    [false, true],
    [false, false],
  ] as const) {
    const upperDir = mkdtempSync(join(home, 'upper-'));
    const sb = await createSandboxInstance({
      ingotHome: home,
      lowerDirs: [base?.rootfsDir ?? ''],
      upperDir,
      throwaway,
      syncedByCaller,
    });
    try {
      const [root] = (await mountsUnder(home)).filter((p) => p.endsWith('/root'));
      const opts = overlayOptionsAt(root ?? '') ?? '';
      assert.ok(opts?.includes(`upperdir=${upperDir}`), `the sandbox's overlay: ${opts}`);
      // Kernels before 6.12 show `volatile`, later ones `fsync=volatile`.
      const volatile = opts.split(',').some((o) => o === 'volatile' || o === 'fsync=volatile');
      assert.equal(volatile, throwaway || syncedByCaller, opts);
      assert.equal((await sb.exec({ argv: sh('echo t > /srv/t') })).exitCode, 0);
    } finally {
      await sb.close();
    }
    assert.equal(readFileSync(join(upperDir, 'srv/t'), 'utf8'), 't\n');
  }
});

test('exec overhead is small', { skip }, async (t) => {
  const sb = await overlay().sandbox;
  try {
    const started = Date.now();
    for (let n = 0; n < 10; n++) await sb.exec({ argv: ['true'] });
    const perExec = (Date.now() - started) / 10;
    t.diagnostic(`sandbox exec overhead: ${perExec.toFixed(1)} ms`);
    assert.ok(perExec < 500);
  } finally {
    await sb.close();
  }
});
