/**
 * @module Benchmark (issue 5: disk images): a cold build (no layer cache; the Debian 12 base
 * cached in INGOT_BASES_HOME) of Debian 12 + update-linux + nginx + a config file to raw and
 * qcow2, then the test phase in the disk booted under qemu (TCG unless KVM probes fine).
 * Prints each stage's time and share, the boot-to-test-phase time, and the same as JSON.
 * Run: node bench/disk-build.ts   (root; qemu-system-x86, qemu-utils, e2fsprogs, the Debian mirror)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBuild, type BuildEvent } from '../src/engine/build.ts';
import { componentFromText } from '../src/engine/component-from-text.ts';
import { findManagedComponent } from '../src/toe/managed/index.ts';
import { chooseAccel } from '../src/instance/qemu/accel.ts';

const basesHome = process.env['INGOT_BASES_HOME'] ?? '/tmp/ingot-test-bases';
const home = mkdtempSync(join(tmpdir(), 'ingot-bench-disk-'));

const bash = (name: string, build: string[], testCmds: string[]) => componentFromText({
  name, version: '1.0.0', origin: name,
  text: `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n${build.map((c) => `            - ${JSON.stringify(c)}`).join('\n')}\n` +
    `  - name: test\n    steps:\n      - name: Check\n        action: ExecuteBash\n        inputs:\n          commands:\n${testCmds.map((c) => `            - ${JSON.stringify(c)}`).join('\n')}\n`,
});

const update = findManagedComponent('update-linux')!;
const components = [
  componentFromText({ name: 'update-linux', version: update.semanticVersion, text: update.data, origin: 'update-linux' }),
  bash('nginx', ['apt-get update -q', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light'], ['nginx -t', 'systemctl is-enabled nginx']),
  bash('config-file', ['mkdir -p /etc/bench && echo "listen 8080" > /etc/bench/app.conf'], ['grep -q 8080 /etc/bench/app.conf']),
];

const events: { at: number; e: BuildEvent }[] = [];
const started = performance.now();
try {
  const accel = await chooseAccel();
  const result = await runBuild(
    { kind: 'image', name: 'bench-disk', version: '1.0.0', parent: { type: 'managed', base: 'debian-12' }, components, runTests: true, diskFormats: ['raw', 'qcow2'] },
    { home, basesHome, outputDir: join(home, 'out'), onEvent: (e) => events.push({ at: performance.now(), e }) },
  );
  const totalMs = performance.now() - started;
  const comp = (name: string) => events.find((x) => x.e.type === 'component' && x.e.name === name && x.e.phase === 'build' && x.e.status === 'success')?.e;
  const dur = (e: BuildEvent | undefined) => (e && 'durationMs' in e ? e.durationMs ?? 0 : 0);
  const diskLine = events.map((x) => x.e).find((e) => e.type === 'log' && e.line.startsWith('disk stages:'));
  const diskMs = diskLine?.type === 'log' ? [...diskLine.line.matchAll(/(\d+) ms/g)].map((m) => Number(m[1])) : [0, 0, 0];
  const bootLine = events.map((x) => x.e).find((e) => e.type === 'log' && /^booted .* in [\d.]+ s$/.test(e.line));
  const bootS = bootLine?.type === 'log' ? Number(/in ([\d.]+) s$/.exec(bootLine.line)![1]) : NaN;
  const s = result.manifest.stages;
  const rows: [string, number][] = [
    ['parent (base cached)', s['parent'] ?? 0],
    ...components.map((c) => [`component ${c.name}`, dur(comp(c.name))] as [string, number]),
    ['bootable-disk layer (kernel, GRUB, sshd)', dur(comp('ingot-bootable-disk'))],
    ['root fs: mkfs.ext4 -d into the disk', diskMs[0]!],
    ['convert + qemu-img check (parallel)', diskMs[1]!],
    ['sha256 of the artifacts', diskMs[2]!],
    [`boot to SSH (${accel})`, bootS * 1000],
    ['test phases in the VM (incl. boot)', s['test'] ?? 0],
  ];
  console.log(`\n${'stage'.padEnd(44)} ${'seconds'.padStart(8)} ${'share'.padStart(6)}`);
  for (const [name, ms] of rows) console.log(`${name.padEnd(44)} ${(ms / 1000).toFixed(1).padStart(8)} ${((100 * ms) / totalMs).toFixed(0).padStart(5)}%`);
  console.log(`${'total'.padEnd(44)} ${(totalMs / 1000).toFixed(1).padStart(8)}`);
  console.log(JSON.stringify({ accel, totalMs: Math.round(totalMs), bootToSshMs: Math.round(bootS * 1000), stages: Object.fromEntries(rows.map(([n, ms]) => [n, Math.round(ms)])), artifacts: result.manifest.artifacts }, null, 2));
} finally {
  rmSync(home, { recursive: true, force: true });
}
