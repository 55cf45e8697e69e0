/**
 * @module Benchmark (issue 14): the same bootable-server image, Debian 12 + openssh-server +
 * nginx-light + a config file as qcow2, made by `ingot build recipe` (the path users take: the
 * default format, qcow2) and by mkosi 14 (Debian's package: `mkosi -f build`, `Incremental=yes`,
 * `NspawnKeepUnit=yes`), side by side in one run, the load average printed with every figure:
 *   1. fully cold: mkosi with no package or incremental cache; Ingot with a fresh INGOT_HOME and
 *      a fresh bases home (its Debian base bootstrapped by mmdebstrap);
 *   1b. equal work: mkosi, fully cold, installing every package of Ingot's image (read from its
 *      SBOM: the cloud-like base, kernel and initramfs, shim and GRUB, cloud-init; Incremental=no,
 *      which spares mkosi its cache images), as an extra row;
 *   2. Ingot with its base cached (fresh INGOT_HOME: components and bootable-disk layer built);
 *   3. one-file change: the config file edited, mkosi's incremental rebuild against Ingot's
 *      rebuild on its layer cache, `BENCH_REPS` times (default 3) alternated; the ratio of the medians.
 * mkosi 14 cannot make a bootable image on these machines (its UEFI boot partition needs a vfat
 * mount, and the kernel has no vfat), so it runs with `Bootable=no`: its disk has no kernel and
 * no bootloader, while Ingot's has both (and cloud-init, once the bootable disk has it). Ingot
 * runs with `--skip-tests` (mkosi boots nothing either). Goals: fully cold ≤ 0.7× mkosi; base
 * cached ≤ 25 s; one-file change ≤ 0.3× mkosi's incremental rebuild.
 * Needs root, mkosi, debootstrap, systemd-nspawn, mmdebstrap, qemu-utils, the Debian mirror and
 * about 15 GiB free in the temp directory: without reflinks (ext4), mkosi 14's incremental build
 * copies its cached 3 GiB images byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const INGOT = resolve(import.meta.dirname, '../bin/ingot');
const NEEDED_GIB = 15;
const fs = statfsSync(tmpdir());
const freeGib = (fs.bavail * fs.bsize) / 2 ** 30;
if (freeGib < NEEDED_GIB) {
  console.error(
    `disk-vs-mkosi needs about ${NEEDED_GIB} GiB free in ${tmpdir()} (mkosi copies its cached images in full), ${freeGib.toFixed(1)} GiB are: set TMPDIR to a roomier file system`,
  );
  process.exit(1);
}
const root = mkdtempSync(join(tmpdir(), 'ingot-bench-mkosi-'));
const load = () => loadavg()[0]!.toFixed(1);
const sec = (s: number) => s.toFixed(1);

type Row = { what: string; seconds: number; load: string };
const REPS = Math.max(1, Number(process.env['BENCH_REPS'] ?? 3));

/** The row with the median time (the lower middle one of an even count). */
function medianRow(rows: Row[]): Row {
  return [...rows].sort((a, b) => a.seconds - b.seconds)[(rows.length - 1) >> 1]!;
}

function timed(what: string, cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const before = load();
  const t = performance.now();
  const r = spawnSync(cmd, args, { ...opts, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0)
    throw new Error(`${what}: ${cmd} ${args.join(' ')} failed (${r.status}):\n${(r.stderr + r.stdout).slice(-3000)}`);
  const row: Row = { what, seconds, load: `${before}→${load()}` };
  console.log(`| ${what} | ${sec(seconds)} | ${row.load} |`);
  return row;
}

/** The Debian packages in an Ingot output's SPDX SBOM. */
function imagePackages(outDir: string): string[] {
  const sbom = JSON.parse(readFileSync(join(outDir, 'sbom.spdx.json'), 'utf8')) as {
    packages: { name: string; SPDXID: string }[];
  };
  return sbom.packages.filter((p) => p.SPDXID.startsWith('SPDXRef-Package-deb-')).map((p) => p.name);
}

const CONFIG = (n: number) => `listen 8080; # revision ${n}`;

/** mkosi's own minimal package set for the image; the equal-work row uses the packages of Ingot's image instead. */
const MKOSI_PACKAGES = ['systemd', 'udev', 'openssh-server', 'nginx-light'];

function mkosiProject(dir: string, packages: readonly string[] = MKOSI_PACKAGES, incremental = true): void {
  mkdirSync(join(dir, 'mkosi.extra', 'etc', 'bench'), { recursive: true });
  writeFileSync(join(dir, 'mkosi.extra', 'etc', 'bench', 'app.conf'), `${CONFIG(1)}\n`);
  writeFileSync(
    join(dir, 'mkosi.conf'),
    `[Distribution]
Distribution=debian
Release=bookworm

[Output]
Format=gpt_ext4
QCow2=yes
# mkosi 14's bootable images need a vfat mount for the ESP, which this kernel lacks.
Bootable=no
Incremental=${incremental ? 'yes' : 'no'}
NspawnKeepUnit=yes
Output=image.qcow2

[Content]
Packages=${packages.join(',')}
WithNetwork=yes

[Partitions]
RootSize=3G
`,
  );
}

function ingotProject(dir: string, revision: number): void {
  mkdirSync(dir, { recursive: true });
  const step = (name: string, command: string) =>
    `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n            - ${JSON.stringify(command)}\n`;
  writeFileSync(
    join(dir, 'packages.yml'),
    step(
      'packages',
      'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server nginx-light',
    ),
  );
  writeFileSync(
    join(dir, 'config.yml'),
    step('config-file', `mkdir -p /etc/bench && echo '${CONFIG(revision)}' > /etc/bench/app.conf`),
  );
  writeFileSync(
    join(dir, 'recipe.yml'),
    `name: bench-server\nversion: 1.0.0\nparentImage: debian-12\nblockDeviceMappings:\n  - deviceName: /dev/xvda\n    ebs: { volumeSize: 3 }\ncomponents:\n  - uri: ./packages.yml\n  - uri: ./config.yml\n`,
  );
}

try {
  console.log(
    'mkosi 14 runs with Bootable=no (no kernel, no bootloader: its ESP needs a vfat mount this kernel lacks); Ingot with --skip-tests\n',
  );
  console.log('| run | seconds | load average (1 min) before→after |\n|---|---:|---|');
  const mk = join(root, 'mkosi');
  mkosiProject(mk);
  const mkCold = timed('mkosi, fully cold (no package or incremental cache)', 'mkosi', ['-f', 'build'], { cwd: mk });

  const ingotHome = join(root, 'ingot-home');
  const bases = join(root, 'ingot-bases');
  const proj = join(root, 'ingot');
  ingotProject(proj, 1);
  const ingot = (what: string, home: string, out: string) =>
    timed(
      what,
      INGOT,
      // The default format (qcow2); --skip-tests because mkosi boots nothing either.
      ['build', join(proj, 'recipe.yml'), '--output', join(root, out), '--skip-tests'],
      { env: { ...process.env, INGOT_HOME: home, INGOT_BASES_HOME: bases, INGOT_IMAGE_FORMATS: '' } },
    );
  const ingotCold = ingot('Ingot, fully cold (base bootstrapped, nothing cached)', ingotHome, 'out-cold');
  const ingotBase = ingot('Ingot, base cached (fresh INGOT_HOME)', `${ingotHome}-2`, 'out-base');
  // Equal work: mkosi installing every package Ingot's image holds (its SBOM: the cloud-like base,
  // the kernel and initramfs, shim and GRUB, cloud-init), still without a bootloader installed;
  // without Incremental=yes (no cached images to write: less work for mkosi than the row above).
  const mkEqual = join(root, 'mkosi-equal');
  mkosiProject(mkEqual, imagePackages(join(root, 'out-cold')), false);
  const mkEqualCold = timed("mkosi, fully cold, the packages of Ingot's image (equal work)", 'mkosi', ['-f', 'build'], {
    cwd: mkEqual,
  });
  rmSync(mkEqual, { recursive: true, force: true });

  // The one-file change, BENCH_REPS times (a new revision of the file each time), alternated (who
  // goes first swaps each round): mkosi's figure swings by seconds from run to run (it copies its
  // cached 3 GiB images in full), so the ratio is of the medians.
  const mkIncs: Row[] = [];
  const ingotIncs: Row[] = [];
  for (let r = 0; r < REPS; r++) {
    writeFileSync(join(mk, 'mkosi.extra', 'etc', 'bench', 'app.conf'), `${CONFIG(2 + r)}\n`);
    ingotProject(proj, 2 + r);
    const runMkosi = () =>
      mkIncs.push(timed('mkosi, config file changed (Incremental=yes)', 'mkosi', ['-f', 'build'], { cwd: mk }));
    const runIngot = () =>
      ingotIncs.push(ingot('Ingot, config file changed (layer cache)', `${ingotHome}-2`, 'out-inc'));
    if (r % 2 === 0) {
      runMkosi();
      runIngot();
    } else {
      runIngot();
      runMkosi();
    }
  }
  const mkInc = medianRow(mkIncs);
  const ingotInc = medianRow(ingotIncs);

  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(
    `\nratios: fully cold Ingot/mkosi ${ratio(ingotCold.seconds, mkCold.seconds)}× (goal ≤ 0.7×; against mkosi installing the same packages ${ratio(ingotCold.seconds, mkEqualCold.seconds)}×); base cached ${sec(ingotBase.seconds)} s (goal ≤ 25 s, ${ratio(ingotBase.seconds, 25)}×); one-file change Ingot/mkosi ${ratio(ingotInc.seconds, mkInc.seconds)}× (medians of ${REPS}: ${sec(ingotInc.seconds)} / ${sec(mkInc.seconds)} s; goal ≤ 0.3×)`,
  );
  console.log(
    JSON.stringify({
      mkosiCold: mkCold,
      ingotCold,
      mkosiColdEqualPackages: mkEqualCold,
      ingotBaseCached: ingotBase,
      mkosiIncremental: mkInc,
      ingotOneFileChange: ingotInc,
    }),
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
