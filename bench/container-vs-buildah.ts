/**
 * @module Benchmark (issue: build engine I): the same container steps — Debian 12 base,
 * `apt-get install nginx-light`, add a user, write a file — built by Ingot and by buildah
 * (`--isolation chroot`, the same base imported as an OCI image), side by side. Reports Ingot
 * cold vs buildah cold, Ingot's no-op rebuild, and Ingot's rebuild after changing only the last
 * component. Ingot writes zstd layers here (buildah stores its layers uncompressed). Targets: cold within 1.2x of buildah; no-op < 1 s; last-component rebuild < that
 * component's own run time + 2 s. Needs root, buildah, skopeo and the Debian mirror.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBaseImage } from '../src/bases/index.ts';
import { writeOciLayout } from '../src/oci/image/layout.ts';
import { buildImageConfig } from '../src/oci/image/config.ts';
import { writeLayer } from '../src/oci/layer/write-layer.ts';

const INGOT = resolve(import.meta.dirname, '../bin/ingot');
const basesHome = process.env['INGOT_BASES_HOME'] ?? '/tmp/ingot-bench-bases';

const component = (name: string, commands: string[]) =>
  `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n${commands.map((c) => `            - ${JSON.stringify(c)}`).join('\n')}\n`;

const STEPS = {
  nginx: [
    'apt-get update -q',
    'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light',
  ],
  user: ['useradd --create-home web'],
  file: (text: string) => [`echo ${text} > /srv/index.html`],
};

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.slice(-2000)}`);
  return r.stdout;
}

async function baseAsOci(dir: string): Promise<string> {
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
  return layout;
}

function buildahCold(layout: string): number {
  return time(() => {
    const ctr = sh('buildah', ['from', '--pull-never', `oci:${layout}:base`]).trim();
    try {
      for (const cmd of [STEPS.nginx.join(' && '), STEPS.user[0]!, STEPS.file('hello')[0]!])
        sh('buildah', ['run', '--isolation', 'chroot', ctr, '--', 'sh', '-c', cmd]);
      sh('buildah', ['commit', '--quiet', ctr, 'ingot-bench:latest']);
    } finally {
      spawnSync('buildah', ['rm', ctr]);
      spawnSync('buildah', ['rmi', '-f', 'ingot-bench:latest']);
    }
  });
}

interface IngotRun {
  seconds: number;
  lastComponent: number;
  stages: Record<string, number>;
}

function ingotBuild(
  dir: string,
  home: string,
  text: string,
  extra: string[] = [],
  components = ['nginx.yml', 'user.yml', 'file.yml'],
): IngotRun {
  writeFileSync(join(dir, 'nginx.yml'), component('install-nginx', STEPS.nginx));
  writeFileSync(join(dir, 'user.yml'), component('add-user', STEPS.user));
  writeFileSync(join(dir, 'file.yml'), component('write-file', STEPS.file(text)));
  const recipe = {
    containerType: 'DOCKER',
    name: 'bench',
    semanticVersion: '1.0.0',
    parentImage: 'debian-12',
    components: components.map((componentArn) => ({ componentArn })),
    dockerfileTemplateData:
      'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\nCMD ["nginx", "-g", "daemon off;"]\n',
    targetRepository: { service: 'ECR', repositoryName: 'bench' },
  };
  writeFileSync(join(dir, 'recipe.json'), JSON.stringify(recipe));
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const env = { ...process.env, INGOT_HOME: home, INGOT_BASES_HOME: basesHome };
  const seconds = time(() =>
    sh(
      INGOT,
      ['build', join(dir, 'recipe.json'), '--output', out, '--skip-tests', '--compression', 'zstd', ...extra],
      env,
    ),
  );
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { stages: Record<string, number> };
  // With the first components cached, the build stage is the changed component's own run time.
  return { seconds, lastComponent: (manifest.stages['build'] ?? 0) / 1000, stages: manifest.stages };
}

async function main(): Promise<void> {
  for (const tool of ['buildah', 'skopeo']) execFileSync('which', [tool], { stdio: 'ignore' });
  // buildah derives an image name from the path: keep it lower case.
  const dir = join(tmpdir(), `ingot-bench-build-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const home = join(dir, 'home');
  try {
    const layout = await baseAsOci(dir);
    const buildah = buildahCold(layout);
    // buildah starts from the imported base; Ingot's equivalent is the base layer already in its
    // cache, which a build with no components makes.
    ingotBuild(dir, home, 'hello', [], []);
    const cold = ingotBuild(dir, home, 'hello');
    const noop = ingotBuild(dir, home, 'hello');
    const changed = ingotBuild(dir, home, 'changed');
    const rows = [
      ['buildah cold (chroot isolation)', buildah, ''],
      [
        'ingot cold (components not cached)',
        cold.seconds,
        `${(cold.seconds / buildah).toFixed(2)}x buildah (target <= 1.20x); stages ${JSON.stringify(cold.stages)}`,
      ],
      ['ingot no-op rebuild', noop.seconds, `target < 1 s`],
      [
        'ingot rebuild, last component changed',
        changed.seconds,
        `build stage ${changed.lastComponent.toFixed(2)} s; target < component time + 2 s; stages ${JSON.stringify(changed.stages)}`,
      ],
    ] as const;
    console.log('| case | seconds | note |\n|---|---|---|');
    for (const [name, s, note] of rows) console.log(`| ${name} | ${s.toFixed(2)} | ${note} |`);
    console.log(
      JSON.stringify({
        benchmark: 'container-vs-buildah',
        buildahColdSeconds: buildah,
        ingotColdSeconds: cold.seconds,
        ratio: cold.seconds / buildah,
        noopSeconds: noop.seconds,
        lastChangedSeconds: changed.seconds,
        lastChangedBuildStageSeconds: changed.lastComponent,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
