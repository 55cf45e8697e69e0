/**
 * @module The scan jail the compliance scanners run in, probed with a plain shell as the scanner: an
 * image's links to host files (/etc/shadow, a marker, /proc/kcore) read nothing of the host's, its FIFO
 * and huge sparse file are gone from the view, the tool sees no host paths or network, runs in the
 * build's cgroup, and a cancel leaves no process, mount or cgroup behind.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createCgroup, createReaderCgroup, detectCgroups } from '../../src/cgroups/index.ts';
import { startCommand } from '../../src/process/index.ts';
import { reapCrashLeftovers } from '../../src/worker/recover.ts';
import { runOnScratchOverlay } from '../../src/rootfs/scratch-overlay.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (overlayfs, mount and PID namespaces)' : false;
let dir = '';
let root = '';
let marker = '';
let secret = '';

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'ingot-scan-jail-'));
  root = join(dir, 'root');
  secret = `host-secret-${process.pid}-${Math.random().toString(36).slice(2)}`;
  marker = join(dir, 'host-marker');
  writeFileSync(marker, `${secret}\n`);
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/os-release'), 'ID=debian\nNAME=jail-image\n');
  symlinkSync(marker, join(root, 'etc/login.defs'));
  symlinkSync(`../../../../../../..${marker}`, join(root, 'etc/issue'));
  symlinkSync('/etc/shadow', join(root, 'etc/motd'));
  symlinkSync('/proc/kcore', join(root, 'etc/kcore'));
  symlinkSync('/proc/1/environ', join(root, 'etc/environ'));
  execFileSync('mkfifo', [join(root, 'etc/fifo.conf')]);
  writeFileSync(join(root, 'etc/huge.conf'), '');
  truncateSync(join(root, 'etc/huge.conf'), 100 * 1024 * 1024 * 1024); // sparse 100 GiB
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const PROBE = [
  'for f in login.defs issue motd kcore environ os-release; do printf "%s=" $f; head -c 200 /image/etc/$f 2>/dev/null | tr -d "\\0\\n"; echo; done',
  'for f in fifo.conf huge.conf; do if [ -e /image/etc/$f ]; then echo "$f=present"; else echo "$f=absent"; fi; done',
  `if [ -e ${JSON.stringify(marker)} ] || [ -e /etc/shadow ] || [ -e /root/.bashrc ]; then echo host-paths=visible; else echo host-paths=hidden; fi`,
  'echo "interfaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\\n" ,)"',
  'echo "pid=$$ procs=$(ls /proc | grep -c "^[0-9]")"',
  'echo "cgroup=$(grep -m1 ingot-read /proc/self/cgroup | sed "s/.*\\///")"',
  // Writes through the image's links land in the jail (or nowhere), never on the host marker.
  'echo pwned > /image/etc/login.defs 2>/dev/null; echo pwned > /image/etc/issue 2>/dev/null; true',
].join('\n');

test('a shell in the scan jail reads none of the host through the image, sees no FIFO or huge file, no host paths, no network', {
  skip,
  timeout: 60_000,
}, async () => {
  const { cgroup } = await createReaderCgroup({ pids: 64, memoryMiB: 256 });
  try {
    const run = await runOnScratchOverlay({
      lowerDirs: [root],
      argv: ['sh', '-c', PROBE],
      jail: {},
      workDir: dir,
      timeoutMs: 30_000,
      ...(cgroup ? { cgroupProcs: cgroup.procsFiles } : {}),
    });
    assert.equal(run.exitCode, 0, run.stderr);
    const seen = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    assert.doesNotMatch(run.stdout, new RegExp(secret), 'a host file was read through the image');
    for (const f of ['login.defs', 'issue', 'motd', 'kcore']) assert.equal(seen[f], '', `${f}: ${seen[f]}`);
    // The jail's pid 1 is the tool itself, with a clean environment: nothing of Ingot's.
    assert.match(String(seen.environ), /^PATH=/);
    assert.doesNotMatch(String(seen.environ), /NODE|JAIL_|OVERLAY|INGOT/);
    assert.equal(seen['os-release'], 'ID=debianNAME=jail-image', 'the image itself is readable');
    assert.equal(seen['fifo.conf'], 'absent');
    assert.equal(seen['huge.conf'], 'absent');
    assert.equal(seen['host-paths'], 'hidden');
    assert.equal(seen.interfaces, 'lo,', 'only its own loopback');
    assert.match(String(seen.pid), /^1 procs=[1-4]$/, `its own PID namespace: ${seen.pid}`);
    if (cgroup && detectCgroups().version !== 'none') assert.match(String(seen.cgroup), /^ingot-read-/);
    assert.ok(existsSync(join(root, 'etc/fifo.conf')), 'the image itself is unchanged');
    assert.equal(readFileSync(marker, 'utf8'), `${secret}\n`, 'the host marker is unchanged');
  } finally {
    await cgroup?.remove();
  }
  assert.equal(readFileSync('/proc/mounts', 'utf8').includes('ingot-scan-jail'), false, 'a jail mount is left');
});

test('cancelling a jailed scan ends it at once: no process, mount or jail directory left', {
  skip,
  timeout: 30_000,
}, async () => {
  const ac = new AbortController();
  const name = `ingot-jail-cancel-${process.pid}`;
  const started = Date.now();
  const run = runOnScratchOverlay({
    lowerDirs: [root],
    argv: ['bash', '-c', `exec -a ${name} sleep 60`],
    jail: {},
    workDir: dir,
    signal: ac.signal,
  });
  await new Promise((r) => setTimeout(r, 1500));
  ac.abort();
  await run;
  assert.ok(Date.now() - started < 10_000);
  await new Promise((r) => setTimeout(r, 200));
  const left = execFileSync('sh', ['-c', `pgrep -f '^${name}' || true`], { encoding: 'utf8' }).trim();
  assert.equal(left, '', 'the jailed process outlived the cancel');
  assert.equal(readFileSync('/proc/mounts', 'utf8').includes('ingot-scan-jail'), false);
  assert.deepEqual(
    execFileSync('ls', [dir], { encoding: 'utf8' }).trim().split('\n').sort(),
    ['host-marker', 'root'],
    'no merge or jail directory left',
  );
});

test('a reader cgroup whose owner died (a crash during the evidence stage) is reaped with its processes', {
  skip: skip || (detectCgroups().version === 'none' ? 'no cgroups here' : false),
  timeout: 30_000,
}, async () => {
  const dead = spawn('true');
  await new Promise((r) => dead.once('exit', r));
  const name = `ingot-read-${randomBytes(5).toString('hex')}-p${dead.pid}`;
  const { cgroup } = await createCgroup(name, { pids: 16 });
  assert.ok(cgroup);
  const sleeper = startCommand(['sleep', '60'], { cgroupProcs: cgroup.procsFiles });
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await cgroup.pids(), [sleeper.pid]);
  const removed = await reapCrashLeftovers(join(dir, 'home'));
  assert.ok(
    removed.some((d) => d.endsWith(`/${name}`)),
    removed.join(' '),
  );
  await sleeper.done.catch(() => {});
  assert.equal(sleeper.running(), false, 'its process was killed');
  for (const d of cgroup.dirs) assert.equal(existsSync(d), false);
});
