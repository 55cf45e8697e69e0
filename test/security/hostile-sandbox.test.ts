/**
 * @module Hostile component documents run in a real sandbox build instance (limits, namespaces,
 * ptrace, raw sockets, host ports and loopback, path tricks): every case is contained, and a
 * marker on the host is the same before and after.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { sharedTestBase } from '../helpers/test-base.ts';
import { buildDoc, runYaml } from '../helpers/toe.ts';
import { createSandboxInstance } from '../../src/instance/sandbox/index.ts';
import type { SandboxInstance } from '../../src/instance/sandbox/index.ts';
import { mountsUnder } from '../../src/instance/sandbox/mounts.ts';
import { baseUnavailable, toolMissing } from './helpers.ts';

const skip =
  (process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs, cgroups)' : undefined) ??
  baseUnavailable() ??
  toolMissing('bwrap', 'apt-get install bubblewrap') ??
  toolMissing('slirp4netns', 'apt-get install slirp4netns') ??
  false;

const PIDS = 150;
const home = mkdtempSync('/tmp/ingot-hostile-');
const hostDir = mkdtempSync('/var/tmp/ingot-hostile-host-'); // not /tmp: the sandbox has its own
const marker = join(hostDir, 'marker');
let sb: SandboxInstance | undefined;
let server: Server | undefined;
let port = 0;
let hits = 0;

const digest = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
let markerBefore = '';

/** The host's view of everything a sandbox may have left or touched. */
function hostSnapshot() {
  return {
    marker: digest(marker),
    hostDir: readdirSync(hostDir).sort(),
  };
}
let snapshotBefore: ReturnType<typeof hostSnapshot> | undefined;

before(async () => {
  if (skip) return;
  writeFileSync(marker, randomBytes(32).toString('hex'));
  markerBefore = digest(marker);
  snapshotBefore = hostSnapshot();
  server = createServer((s) => {
    hits++;
    s.end('ingot-host-service\n');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  const base = await sharedTestBase();
  const upperDir = mkdtempSync(join(home, 'upper-'));
  sb = await createSandboxInstance({
    ingotHome: home,
    lowerDirs: [base.rootfsDir],
    upperDir,
    limits: { cpus: 1, memoryMiB: 256, pids: PIDS },
  });
});

after(async () => {
  await sb?.close();
  server?.close();
  if (!skip) {
    assert.deepEqual(hostSnapshot(), snapshotBefore, 'the host marker changed');
    assert.equal(digest(marker), markerBefore);
    assert.deepEqual(await mountsUnder(home), [], 'mounts left behind');
    assert.deepEqual(readdirSync(join(home, 'run/sandboxes')), [], 'sandbox dirs left behind');
  }
  rmSync(home, { recursive: true, force: true });
  rmSync(hostDir, { recursive: true, force: true });
});

/** Runs one hostile ExecuteBash step; returns its record (the step's stdout holds what the attack saw). */
async function hostile(name: string, commands: string[], timeoutSeconds = 60) {
  const body = commands.map((c) => `            - ${JSON.stringify(c)}`).join('\n');
  const yaml = buildDoc(
    `      - name: ${name}\n        action: ExecuteBash\n        timeoutSeconds: ${timeoutSeconds}\n        onFailure: Continue\n        inputs:\n          commands:\n${body}\n`,
  );
  const run = await runYaml(yaml, { instance: sb! });
  return run.step(name);
}

function sandboxCgroupFile(file: string): string {
  const found = execFileSync('sh', ['-c', `find /sys/fs/cgroup -maxdepth 7 -name 'ingot-${sb!.id}-*' -type d`], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean)
    .map((d) => join(d, file))
    .find((f) => {
      try {
        readFileSync(f);
        return true;
      } catch {
        return false;
      }
    });
  if (!found) throw new Error(`no ${file} for ${sb!.id}`);
  return found;
}

test('limits: a step cannot make a user namespace and raise its own pids/cpu/memory limits', { skip }, async () => {
  const pidsMax = sandboxCgroupFile('pids.max');
  assert.equal(readFileSync(pidsMax, 'utf8').trim(), String(PIDS));
  const step = await hostile('lift-limits', [
    `unshare -UrmC sh -c 'mkdir -p /mnt/p; mount -t cgroup -o pids none /mnt/p && echo max > /mnt/p/pids.max && echo ESCAPED-v1' 2>&1 || echo userns-refused`,
    `unshare -UrmC sh -c 'mount -t cgroup2 none /mnt && echo ESCAPED-v2' 2>&1 || true`,
    `[ "$(uname -m)" != x86_64 ] || perl -e 'syscall(272, 0x10000000) == 0 and print "ESCAPED-unshare\\n"'`,
    'mount -t cgroup -o pids none /mnt 2>/dev/null && echo ESCAPED-mount',
    'ls /sys/fs/cgroup 2>/dev/null | grep -q . && echo ESCAPED-cgroupfs-visible',
    "grep -v ':/$' /proc/self/cgroup && echo ESCAPED-cgroup-path || echo cgroup-ns-root",
  ]);
  assert.doesNotMatch(step.stdoutExcerpt, /ESCAPED/, step.stdoutExcerpt);
  assert.match(step.stdoutExcerpt, /userns-refused/);
  assert.match(step.stdoutExcerpt, /cgroup-ns-root/);
  assert.equal(readFileSync(pidsMax, 'utf8').trim(), String(PIDS), 'the pids limit was raised');
});

test('limits: a fork bomb stops at the pids limit', { skip }, async () => {
  const step = await hostile('fork-bomb', [
    `perl -e 'my @k; for (1..${PIDS * 2}) { my $p = fork; last unless defined $p; if (!$p) { sleep 20; exit 0 } push @k, $p } print "forked=", scalar(@k), "\\n"; kill "KILL", @k; waitpid($_, 0) for @k'`,
  ]);
  const forked = Number(/forked=(\d+)/.exec(step.stdoutExcerpt)?.[1]);
  assert.ok(forked > 10 && forked < PIDS, `forked: ${forked} (${step.stdoutExcerpt})`);
});

test('ptrace: attaching to the sandbox init is refused and the step ends', { skip }, async () => {
  const started = Date.now();
  const step = await hostile(
    'ptrace-init',
    [`perl -e 'my $r = syscall(101, 16, 1, 0, 0); print $r == -1 ? "refused: $!\\n" : "ESCAPED-attached\\n"'`],
    30,
  );
  assert.match(step.stdoutExcerpt, /refused: Operation not permitted/);
  assert.equal(step.status, 'success');
  assert.ok(Date.now() - started < 25_000, 'the step hung');
});

test('network: no raw sockets, no CAP_NET_RAW, no host interfaces', { skip }, async () => {
  const step = await hostile('raw-net', [
    `perl -e 'use Socket; socket(my $s, AF_INET, SOCK_RAW, 1) ? print "ESCAPED-raw\\n" : print "raw-refused\\n"'`,
    `perl -e 'use Socket; socket(my $s, AF_PACKET, SOCK_RAW, 0) ? print "ESCAPED-packet\\n" : print "packet-refused\\n"'`,
    'awk \'/^CapEff/ {print "capeff=" $2}\' /proc/self/status',
    'awk \'NR>2 {sub(":","",$1); print "if=" $1}\' /proc/net/dev',
  ]);
  assert.doesNotMatch(step.stdoutExcerpt, /ESCAPED/, step.stdoutExcerpt);
  assert.match(step.stdoutExcerpt, /raw-refused/);
  assert.match(step.stdoutExcerpt, /packet-refused/);
  const capEff = BigInt(`0x${/capeff=([0-9a-f]+)/.exec(step.stdoutExcerpt)?.[1]}`);
  assert.equal(capEff & (1n << 13n), 0n, 'CAP_NET_RAW is held');
  assert.equal(capEff & (1n << 21n), 0n, 'CAP_SYS_ADMIN is held');
  assert.equal(capEff & (1n << 19n), 0n, 'CAP_SYS_PTRACE is held');
  const ifaces = [...step.stdoutExcerpt.matchAll(/if=(\S+)/g)].map((m) => m[1]).sort();
  assert.deepEqual(ifaces, ['lo', 'tap0']);
});

test('network: host loopback services are unreachable; ports bound inside are not on the host', { skip }, async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const freePort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  const running = hostile('host-ports', [
    `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo ESCAPED-loopback || echo loopback-refused`,
    `(exec 3<>/dev/tcp/10.0.2.2/${port}) 2>/dev/null && echo ESCAPED-gateway || echo gateway-refused`,
    `perl -e 'use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalAddr => "0.0.0.0", LocalPort => ${freePort}, Listen => 1, ReuseAddr => 1) or die "bind: $!"; print "bound\\n"; $| = 1; sleep 4'`,
  ]);
  const reachedInside: boolean[] = [];
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 500));
    reachedInside.push(
      await new Promise<boolean>((resolve) => {
        const c = connect(freePort, '127.0.0.1');
        c.once('connect', () => {
          c.destroy();
          resolve(true);
        });
        c.once('error', () => resolve(false));
      }),
    );
  }
  const step = await running;
  assert.doesNotMatch(step.stdoutExcerpt, /ESCAPED/, step.stdoutExcerpt);
  assert.match(step.stdoutExcerpt, /loopback-refused[\s\S]*gateway-refused[\s\S]*bound/);
  assert.deepEqual(
    reachedInside.filter((x) => x),
    [],
    "the step's port was reachable on the host",
  );
  assert.equal(hits, 0, 'the host service was reached');
});

test('network: outbound works (apt-get update from the mirror, DNS through the forwarder)', { skip }, async () => {
  const step = await hostile('apt-update', ['apt-get update -qq && echo apt-ok'], 180);
  assert.equal(step.status, 'success', `${step.stdoutExcerpt}\n${step.stderrExcerpt}`);
  assert.match(step.stdoutExcerpt, /apt-ok/);
});

test('path tricks: links, .., /proc/1/root and chroot never reach the host marker', { skip }, async () => {
  const step = await hostile('path-tricks', [
    `echo pwned > ${marker} 2>/dev/null; true`,
    `ln -sf ${marker} /etc/m && echo pwned > /etc/m`,
    `cd / && cd ../../.. && echo pwned > .${marker}; true`,
    `echo pwned > /proc/1/root${marker} 2>/dev/null; true`,
    `perl -e 'mkdir "/esc"; chroot "/esc" or die; chdir ".." for 1..64; chroot "."; open(F, ">", "${marker}") and print F "pwned"'`,
    'kill -STOP 1; kill -9 1; echo still-here',
  ]);
  assert.doesNotMatch(step.stdoutExcerpt, /ESCAPED/, step.stdoutExcerpt);
  assert.match(step.stdoutExcerpt, /still-here/);
  assert.equal(digest(marker), markerBefore);
});

test('opt-in host network (ingot:network=host / --host-network): the host loopback is reachable, still no raw sockets', {
  skip,
}, async () => {
  const base = await sharedTestBase();
  const hostNet = await createSandboxInstance({
    ingotHome: home,
    lowerDirs: [base.rootfsDir],
    upperDir: mkdtempSync(join(home, 'upper-host-')),
    network: 'host',
  });
  const before = hits;
  try {
    assert.ok(hostNet.warnings.some((w) => /host network/.test(w)));
    const r = await hostNet.exec({
      argv: [
        'bash',
        '-c',
        `(exec 3<>/dev/tcp/127.0.0.1/${port}; cat <&3) ; perl -e 'use Socket; socket(my $s, AF_INET, SOCK_RAW, 1) ? print "raw-ok\\n" : print "raw-refused\\n"'`,
      ],
    });
    assert.match(r.stdout, /ingot-host-service[\s\S]*raw-refused/);
  } finally {
    await hostNet.close();
  }
  assert.equal(hits, before + 1);
  hits = before; // the contained cases above must still have reached nothing
});
