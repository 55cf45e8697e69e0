/**
 * @module Benchmark (issue 15): the path users take. The same container steps (Debian 12 base,
 * `apt-get install nginx-light`, add a user, write a file) built by `ingot build recipe --output
 * DIR` with its default flags (gzip layers, test phase, SBOMs) and by `buildah build --isolation
 * chroot --layers` of a Containerfile with the same steps plus `buildah push` to an OCI layout,
 * alternated in one run, the load average printed with every figure. Both start with the base
 * "imported", as a user has it after installing: for Ingot the base as `ingot bases` prepares it
 * (bootstrapped, with its gzip container base layer beside it), for buildah the base pulled into
 * its (private) storage; the two imports are timed as rows of their own (Ingot's: making the base
 * layer, what a bootstrap adds for containers; buildah's: `buildah pull` of the base). Neither has
 * the steps cached. Ingot's first container build on the base runs right after the base layer is
 * made, its second one in another fresh INGOT_HOME, each right after a buildah build+push (the
 * ratios use the median of all buildah rows). Extra rows: zstd layers, --skip-tests. Then
 * Ingot's no-op rebuild and its rebuild with only the last component changed.
 * Goals: first build ≤ 0.9× buildah build+push; second ≤ 0.6×; no-op < 0.3 s; last component
 * changed < that component's own time + 1 s. Needs root, buildah, skopeo and the Debian mirror.
 * BENCH_REPS (default 2) sets the rounds; BENCH_NOOP_REPS (default BENCH_REPS) the no-op rebuilds.
 * BENCH_PART=incremental runs only one default build (to fill a fresh INGOT_HOME), the no-op
 * rebuilds and the last-component-changed rebuilds (no buildah, no first/zstd/--skip-tests rows).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBaseImage } from '../src/bases/index.ts';
import { writeOciLayout } from '../src/oci/image/layout.ts';
import { buildImageConfig } from '../src/oci/image/config.ts';
import { writeLayer } from '../src/oci/layer/write-layer.ts';
import { baseLayerPaths, ensureBaseLayer } from '../src/bases/base-layer-blob.ts';

/** BENCH_INGOT: another checkout's bin/ingot (e.g. main's), to compare in the same minutes. */
const INGOT = process.env['BENCH_INGOT'] ?? resolve(import.meta.dirname, '../bin/ingot');
const basesHome = process.env['INGOT_BASES_HOME'] ?? '/tmp/ingot-bench-bases';
const reps = Number(process.env['BENCH_REPS'] ?? 2);
const noopReps = Number(process.env['BENCH_NOOP_REPS'] ?? reps);
const incrementalOnly = process.env['BENCH_PART'] === 'incremental';

const STEPS = {
  nginx:
    'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light',
  user: 'useradd --create-home web',
  file: (text: string) => `echo ${text} > /srv/index.html`,
};

const component = (name: string, command: string, test?: string) =>
  `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n            - ${JSON.stringify(command)}\n${
    test
      ? `  - name: test\n    steps:\n      - name: Check\n        action: ExecuteBash\n        inputs:\n          commands:\n            - ${JSON.stringify(test)}\n`
      : ''
  }`;

const load = () => loadavg()[0]!.toFixed(1);

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.slice(-2000)}`);
  return r.stdout;
}

function timed(fn: () => void): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

/** The bench base as an OCI layout, for buildah to pull once (not timed). */
async function baseAsOci(dir: string): Promise<{ layout: string; rootfsDir: string }> {
  const base = await ensureBaseImage('debian-12', { ingotHome: basesHome });
  const blob = join(dir, 'base.blob');
  const layer = await writeLayer({
    sourceDir: base.rootfsDir,
    kind: 'full-rootfs',
    compression: 'gzip',
    outFile: blob,
  });
  const layout = join(dir, 'base-oci');
  await writeOciLayout({
    dir: layout,
    tag: 'base',
    config: buildImageConfig({ layers: [{ diffId: layer.diffId, createdBy: 'debian-12 base' }] }),
    layers: [{ descriptor: layer, file: blob }],
  });
  rmSync(blob);
  // The zstd row is a second build on the base: its zstd layer is made here, untimed.
  await ensureBaseLayer(base.rootfsDir, 'zstd');
  return { layout, rootfsDir: base.rootfsDir };
}

/**
 * What `ingot bases refresh` adds for container builds (src/cli/commands/bases.ts): the base's gzip layer, made
 * anew (the one kept from an earlier run is removed first) by the call the refresh makes.
 */
async function prepareBaseLayer(rootfsDir: string): Promise<number> {
  const paths = baseLayerPaths(rootfsDir, 'gzip');
  for (const f of [paths.blob, paths.descriptor]) rmSync(f, { force: true });
  const t = performance.now();
  const made = await ensureBaseLayer(rootfsDir, 'gzip');
  if (made.reused) throw new Error('the base layer was not made anew');
  return (performance.now() - t) / 1000;
}

class Buildah {
  readonly #global: string[];
  readonly #dir: string;
  constructor(dir: string) {
    this.#dir = dir;
    this.#global = ['--root', join(dir, 'storage'), '--runroot', join(dir, 'run'), '--storage-driver', 'overlay'];
    writeFileSync(
      join(dir, 'Containerfile'),
      `FROM localhost/bench-base:latest\nRUN ${STEPS.nginx}\nRUN ${STEPS.user}\nRUN ${STEPS.file('hello')}\nCMD ["nginx", "-g", "daemon off;"]\n`,
    );
  }
  run(args: string[]): string {
    return sh('buildah', [...this.#global, ...args]);
  }
  /** `buildah pull` of the base (timed; an earlier pull is removed first), tagged as the Containerfile's FROM. */
  importBase(layout: string): number {
    spawnSync('buildah', [...this.#global, 'rmi', '-a', '-f'], { stdio: 'ignore' });
    let id = '';
    const seconds = timed(() => {
      id = this.run(['pull', '--quiet', `oci:${layout}:base`])
        .trim()
        .split('\n')
        .pop()!;
    });
    this.run(['tag', id, 'localhost/bench-base:latest']);
    return seconds;
  }
  /** build (steps not cached) + push to a fresh OCI layout. */
  buildAndPush(): number {
    const out = join(this.#dir, 'out');
    rmSync(out, { recursive: true, force: true });
    const seconds = timed(() => {
      this.run([
        'build',
        '--isolation',
        'chroot',
        '--layers',
        '--pull=never',
        '--quiet',
        '-t',
        'bench:latest',
        '-f',
        join(this.#dir, 'Containerfile'),
        this.#dir,
      ]);
      this.run(['push', '--quiet', 'bench:latest', `oci:${out}:latest`]);
    });
    this.run(['rmi', '-f', 'bench:latest']);
    spawnSync('buildah', [...this.#global, 'rmi', '--prune'], { stdio: 'ignore' });
    return seconds;
  }
}

interface IngotRun {
  seconds: number;
  stages: Record<string, number>;
}

function ingotBuild(dir: string, home: string, text: string, extra: string[] = []): IngotRun {
  writeFileSync(join(dir, 'nginx.yml'), component('install-nginx', STEPS.nginx, 'nginx -t'));
  writeFileSync(join(dir, 'user.yml'), component('add-user', STEPS.user));
  writeFileSync(join(dir, 'file.yml'), component('write-file', STEPS.file(text)));
  const recipe = [
    'name: bench',
    'version: 1.0.0',
    'parentImage: debian-12',
    'components:',
    '  - uri: nginx.yml',
    '  - uri: user.yml',
    '  - uri: file.yml',
    'dockerfileTemplateData: |',
    '  FROM {{{ imagebuilder:parentImage }}}',
    '  {{{ imagebuilder:components }}}',
    '  CMD ["nginx", "-g", "daemon off;"]',
    'targetRepository: { service: ECR, repositoryName: bench }',
  ].join('\n');
  writeFileSync(join(dir, 'web.yml'), `${recipe}\n`);
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const env = { ...process.env, INGOT_HOME: home, INGOT_BASES_HOME: basesHome };
  const seconds = timed(() => sh(INGOT, ['build', join(dir, 'web.yml'), '--output', out, ...extra], env));
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { stages: Record<string, number> };
  rmSync(out, { recursive: true, force: true });
  return { seconds, stages: manifest.stages };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  if (!incrementalOnly) for (const tool of ['buildah', 'skopeo']) execFileSync('which', [tool], { stdio: 'ignore' });
  const dir = join(tmpdir(), `ingot-bench-build-${process.pid}`); // lower case: buildah names images from paths
  mkdirSync(dir, { recursive: true });
  const rows: { name: string; seconds: number; load: string; note: string }[] = [];
  const runs: Record<string, number[]> = {};
  const record = (name: string, seconds: number, note = '') => {
    rows.push({ name, seconds, load: load(), note });
    console.log(`${name}: ${seconds.toFixed(2)} s (load ${load()}) ${note}`);
    (runs[name] ??= []).push(seconds);
  };
  const homes = (() => {
    let n = 0;
    return () => join(dir, `home-${n++}`);
  })();
  let lastHome = '';
  let changed: IngotRun | undefined;
  try {
    // The incremental part needs neither buildah nor the base as an OCI layout.
    const { layout, rootfsDir } = incrementalOnly
      ? { layout: '', rootfsDir: (await ensureBaseImage('debian-12', { ingotHome: basesHome })).rootfsDir }
      : await baseAsOci(dir);
    const buildah = new Buildah(dir);
    console.log(
      `load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    if (incrementalOnly) {
      lastHome = homes();
      const second = ingotBuild(dir, lastHome, 'hello');
      record('ingot second build on the base', second.seconds, `stages (ms) ${JSON.stringify(second.stages)}`);
    }
    for (let rep = 1; rep <= (incrementalOnly ? 0 : reps); rep++) {
      record('buildah pull of the base', buildah.importBase(layout));
      record('ingot base layer made with the base', await prepareBaseLayer(rootfsDir));
      record('buildah build + push', buildah.buildAndPush());
      const first = ingotBuild(dir, homes(), 'hello');
      record('ingot first build on the base', first.seconds, `stages (ms) ${JSON.stringify(first.stages)}`);
      // buildah again, right before the second build: load drifts by the minute on a shared machine.
      record('buildah build + push', buildah.buildAndPush());
      lastHome = homes();
      const second = ingotBuild(dir, lastHome, 'hello');
      record('ingot second build on the base', second.seconds, `stages (ms) ${JSON.stringify(second.stages)}`);
      record('ingot second, --compression zstd', ingotBuild(dir, homes(), 'hello', ['--compression', 'zstd']).seconds);
      record('ingot second, --skip-tests', ingotBuild(dir, homes(), 'hello', ['--skip-tests']).seconds);
    }
    for (let rep = 1; rep <= noopReps; rep++) record('ingot no-op rebuild', ingotBuild(dir, lastHome, 'hello').seconds);
    for (let rep = 1; rep <= reps; rep++) {
      changed = ingotBuild(dir, lastHome, `changed-${rep}`);
      // Only the last component runs, so the build stage is that component's own time.
      const own = (changed.stages['build'] ?? 0) / 1000;
      record(
        'ingot last component changed',
        changed.seconds,
        `its own time ${own.toFixed(2)} s; stages (ms) ${JSON.stringify(changed.stages)}`,
      );
      (runs['last component own time'] ??= []).push(own);
    }
  } finally {
    spawnSync('buildah', ['--root', join(dir, 'storage'), '--runroot', join(dir, 'run'), 'rmi', '-a', '-f'], {
      stdio: 'ignore',
    });
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\n| case (in the order run) | seconds | load avg (1 min) | note |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.seconds.toFixed(2)} | ${r.load} | ${r.note} |`);
  const m = (name: string) => (runs[name] ? median(runs[name]) : Number.NaN);
  const b = m('buildah build + push');
  const noops = runs['ingot no-op rebuild'] ?? [];
  const allGoals = [
    ['first build on the base / buildah build+push', m('ingot first build on the base') / b, '≤ 0.90'],
    ['second build on the base / buildah build+push', m('ingot second build on the base') / b, '≤ 0.60'],
    [
      'ingot base layer made with the base / buildah pull',
      m('ingot base layer made with the base') / m('buildah pull of the base'),
      '(extra)',
    ],
    ['zstd second build / buildah', m('ingot second, --compression zstd') / b, '(extra)'],
    ['--skip-tests second build / buildah', m('ingot second, --skip-tests') / b, '(extra)'],
    ['no-op rebuild (s), median', m('ingot no-op rebuild'), '< 0.30'],
    ['no-op rebuild (s), min', Math.min(...noops), '(extra)'],
    [
      'last component changed − its own time (s)',
      m('ingot last component changed') - m('last component own time'),
      '< 1.00',
    ],
  ] as const;
  const goals = allGoals.filter(([, value]) => Number.isFinite(value));
  console.log(
    `\nmedians of ${reps} round(s); load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  console.log('| goal | measured | target |\n|---|---|---|');
  for (const [name, value, target] of goals) console.log(`| ${name} | ${value.toFixed(2)} | ${target} |`);
  console.log(
    JSON.stringify({
      benchmark: 'container-vs-buildah',
      reps,
      loadAverage: loadavg(),
      medians: Object.fromEntries(Object.keys(runs).map((k) => [k, m(k)])),
      ratios: Object.fromEntries(goals.map(([name, value]) => [name, Number(value.toFixed(3))])),
    }),
  );
}

await main();
