/**
 * @module Traps an image can plant for the host-side readers of its contents (SBOM): links to host
 * files, to /dev/zero, device nodes, FIFOs, `..` paths, huge files. The SBOM finishes quickly,
 * leaks no host file's hash, and cancelling a scan ends its process.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ImageFileError, readImageFile } from '../../src/rootfs/read-image-file.ts';
import { runOnScratchOverlay } from '../../src/rootfs/scratch-overlay.ts';
import { generateSboms } from '../../src/sbom/generate.ts';
import { generateSbomsForLayers } from '../../src/sbom/layers.ts';
import { createReaderCgroup } from '../../src/cgroups/index.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (device nodes, overlayfs)' : false;
let dir = '';
let root = '';
let hostSecret = '';
let secretHash = '';

const PKGS = ['leak', 'zero', 'device', 'fifo', 'dotdot', 'huge', 'good'];

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'ingot-reader-traps-'));
  root = join(dir, 'root');
  hostSecret = join(dir, 'host-secret');
  writeFileSync(hostSecret, `secret ${Math.random()}\n`);
  secretHash = createHash('sha256').update(readFileSync(hostSecret)).digest('hex');
  const info = join(root, 'var/lib/dpkg/info');
  mkdirSync(info, { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'dev'), { recursive: true });
  writeFileSync(
    join(root, 'var/lib/dpkg/status'),
    PKGS.map(
      (p) => `Package: ${p}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\nDescription: ${p}\n`,
    ).join('\n'),
  );
  writeFileSync(join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\nNAME=trap-image\n');
  symlinkSync(hostSecret, join(info, 'leak.md5sums')); // absolute: resolves inside the image (absent there)
  symlinkSync('/dev/zero', join(info, 'zero.md5sums'));
  execFileSync('mknod', [join(root, 'dev/zero'), 'c', '1', '5']); // ... and the image has a real /dev/zero node
  execFileSync('mknod', [join(info, 'device.md5sums'), 'c', '1', '5']);
  execFileSync('mkfifo', [join(info, 'fifo.md5sums')]);
  symlinkSync(`../../../../../../../../..${hostSecret}`, join(info, 'dotdot.md5sums'));
  writeFileSync(join(info, 'huge.md5sums'), '');
  truncateSync(join(info, 'huge.md5sums'), 200 * 1024 * 1024); // sparse, past the cap
  writeFileSync(join(info, 'good.md5sums'), 'd41d8cd98f00b204e9800998ecf8427e  usr/bin/good\n');
  // The copyright reader gets the same traps.
  for (const [p, make] of [
    ['leak', () => symlinkSync(hostSecret, join(root, 'usr/share/doc/leak/copyright'))],
    ['fifo', () => execFileSync('mkfifo', [join(root, 'usr/share/doc/fifo/copyright')])],
  ] as const) {
    mkdirSync(join(root, 'usr/share/doc', p), { recursive: true });
    make();
  }
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('SBOM over a trapped image: finishes, no host hash, no hang, no memory blow-up', {
  skip,
  timeout: 60_000,
}, async () => {
  const started = Date.now();
  const rss = process.memoryUsage().rss;
  const out = await generateSboms({ rootfsDir: root, outDir: join(dir, 'sbom'), name: 'traps', version: '1.0.0' });
  assert.ok(Date.now() - started < 30_000);
  assert.ok(process.memoryUsage().rss - rss < 150 * 1024 * 1024, 'memory grew');
  const byName = new Map(out.inventory.packages.map((p) => [p.name, p]));
  for (const p of ['leak', 'zero', 'device', 'fifo', 'dotdot', 'huge']) {
    assert.equal(byName.get(p)?.sha256, undefined, `${p} got a checksum`);
  }
  assert.equal(byName.get('good')?.checksumOf, 'md5sums');
  for (const f of [out.spdxPath, out.cycloneDxPath])
    assert.doesNotMatch(readFileSync(f, 'utf8'), new RegExp(secretHash));
});

test('readImageFile refuses FIFOs, devices, final links out and oversize files; follows links inside', {
  skip,
}, async () => {
  const info = '/var/lib/dpkg/info';
  const refused = async (path: string, reason: string) => {
    await assert.rejects(readImageFile(root, path, { maxBytes: 1024 }), (err: unknown) => {
      assert.ok(err instanceof ImageFileError, String(err));
      assert.equal(err.reason, reason);
      return true;
    });
  };
  await refused(`${info}/fifo.md5sums`, 'not-regular');
  await refused(`${info}/device.md5sums`, 'not-regular');
  await refused(`${info}/zero.md5sums`, 'not-regular'); // through the link to the image's /dev/zero
  await refused(`${info}/huge.md5sums`, 'too-large');
  assert.equal(await readImageFile(root, `${info}/leak.md5sums`, { maxBytes: 1024 }), undefined);
  assert.equal(await readImageFile(root, `${info}/dotdot.md5sums`, { maxBytes: 1024 }), undefined);
  const osRelease = await readImageFile(root, '/../../../../etc/os-release', { maxBytes: 1024 });
  assert.match(String(osRelease), /NAME=trap-image/, '.. stops at the image root');
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(readImageFile(root, '/etc/os-release', { maxBytes: 1024, signal: ac.signal }), {
    name: 'AbortError',
  });
});

test('cancelling a scan over the image ends its process (and its mount namespace)', {
  skip,
  timeout: 30_000,
}, async () => {
  const ac = new AbortController();
  const marker = `ingot-scan-cancel-${process.pid}`;
  const run = runOnScratchOverlay({
    lowerDirs: [root],
    argv: ['bash', '-c', `exec -a ${marker} sleep 60`],
    signal: ac.signal,
  }).catch((err: Error) => err);
  await new Promise((r) => setTimeout(r, 1500));
  ac.abort();
  await run;
  await new Promise((r) => setTimeout(r, 200));
  const left = execFileSync('sh', ['-c', `pgrep -f '^${marker}' || true`], { encoding: 'utf8' }).trim();
  assert.equal(left, '', 'the scan process outlived the cancel');
});

test('SBOM of one tree in a build: read by a child process inside the reader cgroup, same traps contained', {
  skip,
  timeout: 60_000,
}, async () => {
  const { cgroup } = await createReaderCgroup({ pids: 64, memoryMiB: 512 });
  if (!cgroup) return;
  try {
    const out = await generateSbomsForLayers({
      lowerDirs: [root],
      outDir: join(dir, 'sbom-cgroup'),
      name: 'traps',
      version: '1.0.0',
      workDir: dir,
      cgroupProcs: cgroup.procsFiles,
    });
    assert.equal(out.packageCount, PKGS.length);
    for (const f of [out.spdxPath, out.cycloneDxPath])
      assert.doesNotMatch(readFileSync(f, 'utf8'), new RegExp(secretHash));
    assert.deepEqual(await cgroup.pids(), [], 'the SBOM process is gone');
  } finally {
    await cgroup.remove();
  }
});
