/**
 * @module `ingot build` end to end on real parts: a container recipe built on the managed
 * Debian 12 base in sandboxes, checked with skopeo and umoci; the layer cache (changing the last
 * component reruns only it; a no-op rebuild reuses everything); a failing component.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { INGOT_BIN, runIngot, TEST_BASES_HOME } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingot-build-'));
const home = join(dir, 'home');
const env = { INGOT_HOME: home };
const has = (tool: string) => {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const missing = ['skopeo', 'umoci', 'mmdebstrap'].filter((t) => !has(t));
const skip = missing.length
  ? `needs ${missing.join(', ')} (scripts/install-system-deps.sh)`
  : process.getuid?.() !== 0
    ? 'needs root (namespaces, overlayfs)'
    : false;

const USER_COMPONENT = `name: add-app-user
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: AddUser
        action: ExecuteBash
        inputs:
          commands:
            - useradd --create-home --shell /bin/sh app
            - mkdir -p /srv && echo hello > /srv/hello.txt
  - name: validate
    steps:
      - name: UserExists
        action: ExecuteBash
        inputs:
          commands:
            - id app
`;

const motdComponent = (greeting: string) => `name: write-motd
schemaVersion: 1.0
parameters:
  - Greeting:
      type: string
      default: ${greeting}
phases:
  - name: build
    steps:
      - name: WriteMotd
        action: CreateFile
        inputs:
          - path: /etc/motd-ingot
            content: "{{ Greeting }}"
  - name: test
    steps:
      - name: MotdThere
        action: ExecuteBash
        inputs:
          commands:
            - test "$(cat /etc/motd-ingot)" = "${greeting}"
`;

function writeRecipe(greeting: string): string {
  writeFileSync(join(dir, 'add-user.yml'), USER_COMPONENT);
  writeFileSync(join(dir, 'motd.yml'), motdComponent(greeting));
  const recipe = {
    containerType: 'DOCKER',
    name: 'demo-container',
    semanticVersion: '1.0.0',
    parentImage: 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x',
    components: [{ componentArn: 'add-user.yml' }, { componentArn: 'motd.yml' }],
    dockerfileTemplateData:
      'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\nENV APP=demo\nWORKDIR /srv\nENTRYPOINT ["cat"]\nCMD ["/srv/hello.txt"]\n',
    targetRepository: { service: 'ECR', repositoryName: 'demo' },
  };
  const file = join(dir, 'container-recipe.json');
  writeFileSync(file, JSON.stringify(recipe, null, 2));
  return file;
}

before(() => {});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a container recipe builds to an OCI image that skopeo and umoci read', { skip }, async () => {
  const out = join(dir, 'out1');
  const r = await runIngot(['build', writeRecipe('welcome'), '--output', out], env);
  assert.equal(r.code, 0, r.stderr);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    artifacts: { path: string; sha256: string }[];
    layers: { component: string; cached: boolean }[];
    tests: string;
  };
  assert.equal(manifest.tests, 'passed');
  assert.deepEqual(
    manifest.layers.map((l) => [l.component, l.cached]),
    [
      ['add-app-user', false],
      ['write-motd', false],
    ],
  );
  const archive = manifest.artifacts[0]!;
  assert.equal(
    createHash('sha256')
      .update(readFileSync(join(out, archive.path)))
      .digest('hex'),
    archive.sha256,
  );

  const inspect = JSON.parse(
    execFileSync('skopeo', ['inspect', '--config', `oci-archive:${join(out, archive.path)}:1.0.0`], {
      encoding: 'utf8',
    }),
  ) as {
    config: { Entrypoint: string[]; Cmd: string[]; Env: string[]; WorkingDir: string };
    rootfs: { diff_ids: string[] };
  };
  assert.deepEqual(inspect.config.Entrypoint, ['cat']);
  assert.deepEqual(inspect.config.Cmd, ['/srv/hello.txt']);
  assert.ok(inspect.config.Env.includes('APP=demo'));
  assert.equal(inspect.config.WorkingDir, '/srv');
  assert.equal(inspect.rootfs.diff_ids.length, 3, 'base layer + one layer per component');

  const bundle = join(dir, 'bundle');
  execFileSync('umoci', ['unpack', '--image', `${join(out, 'oci')}:1.0.0`, bundle], { stdio: 'pipe' });
  assert.equal(readFileSync(join(bundle, 'rootfs/srv/hello.txt'), 'utf8'), 'hello\n');
  assert.equal(readFileSync(join(bundle, 'rootfs/etc/motd-ingot'), 'utf8'), 'welcome');
  assert.match(readFileSync(join(bundle, 'rootfs/etc/passwd'), 'utf8'), /^app:x:1000:1000::\/home\/app:\/bin\/sh$/m);
  assert.match(readFileSync(join(bundle, 'rootfs/etc/os-release'), 'utf8'), /Debian GNU\/Linux 12/);
});

test('changing only the last component reruns only it; an unchanged rebuild reuses everything', { skip }, async () => {
  const out2 = join(dir, 'out2');
  const changed = await runIngot(['build', writeRecipe('bonjour'), '--output', out2], env);
  assert.equal(changed.code, 0, changed.stderr);
  // The compressed base layer is kept with the base (made when it was bootstrapped, or by the first build).
  assert.match(changed.stderr, /base layer sha256:\S+ \(gzip, [\d.]+ MB\): kept with the base$/m);
  const m2 = JSON.parse(readFileSync(join(out2, 'manifest.json'), 'utf8')) as {
    layers: { component: string; cached: boolean }[];
  };
  assert.deepEqual(
    m2.layers.map((l) => [l.component, l.cached]),
    [
      ['add-app-user', true],
      ['write-motd', false],
    ],
  );

  const out3 = join(dir, 'out3');
  const again = await runIngot(['build', writeRecipe('bonjour'), '--output', out3], env);
  assert.equal(again.code, 0, again.stderr);
  const m3 = JSON.parse(readFileSync(join(out3, 'manifest.json'), 'utf8')) as {
    reused?: boolean;
    artifacts: { path: string; sha256: string }[];
  };
  assert.equal(m3.reused, true);
  assert.match(again.stderr, /outputs reused/);
  const archive = m3.artifacts[0]!;
  assert.equal(
    createHash('sha256')
      .update(readFileSync(join(out3, archive.path)))
      .digest('hex'),
    archive.sha256,
  );

  const nocache = await runIngot(
    ['build', writeRecipe('bonjour'), '--output', join(dir, 'out4'), '--no-cache', '--skip-tests'],
    env,
  );
  assert.equal(nocache.code, 0, nocache.stderr);
  assert.doesNotMatch(nocache.stderr, /cached/);
});

test('a relative --output from another working directory; the printed oci:DIR:TAG is what skopeo reads', {
  skip,
}, async () => {
  const cwd = mkdtempSync(join(dir, 'cwd-'));
  const r = await runIngot(
    ['build', writeRecipe('relative'), '--output', 'out', '--no-cache', '--skip-tests'],
    env,
    600_000,
    cwd,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /unexpected error|ENOENT|\n\s+at /);
  const out = join(cwd, 'out');
  assert.ok(existsSync(join(out, 'sbom.spdx.json')) && existsSync(join(out, 'image.oci.tar')));
  // The layout also lists SBOM referrers, so `oci:DIR` alone is ambiguous: the build prints the reference.
  const ref = /^(oci:\S+)\toci-image$/m.exec(r.stdout)?.[1];
  assert.equal(ref, `oci:${join(out, 'oci')}:1.0.0`);
  const inspect = JSON.parse(execFileSync('skopeo', ['inspect', ref], { encoding: 'utf8' })) as { Layers: string[] };
  assert.equal(inspect.Layers.length, 3);
});

test('a failing component fails the build with its reason and leaves no mount behind', { skip }, async () => {
  writeFileSync(
    join(dir, 'broken.yml'),
    'name: broken\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Fails\n        action: ExecuteBash\n        inputs:\n          commands:\n            - echo half-done > /partial.txt\n            - exit 3\n',
  );
  writeFileSync(
    join(dir, 'broken-recipe.yml'),
    'name: broken-image\nversion: 1.0.0\ncomponents:\n  - uri: broken.yml\n',
  );
  const r = await runIngot(['build', join(dir, 'broken-recipe.yml'), '--output', join(dir, 'out-broken')], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /FAILED: build failed in component 'broken'/);
  assert.match(r.stderr, /exit code 3/);
  const escaped = home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(escaped));

  // --keep-on-failure keeps the instance; `ingot shell` opens it with the component's changes.
  const kept = await runIngot(
    ['build', join(dir, 'broken-recipe.yml'), '--output', join(dir, 'out-kept'), '--keep-on-failure'],
    env,
  );
  assert.equal(kept.code, 1);
  const workDir = /ingot shell (\S+)/.exec(kept.stderr)?.[1];
  assert.ok(workDir, kept.stderr);
  const shell = await runIngot(['shell', workDir, '--', 'cat', '/partial.txt'], env);
  assert.equal(shell.code, 0, shell.stderr);
  assert.equal(shell.stdout, 'half-done\n');
  rmSync(workDir, { recursive: true, force: true });
  assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(escaped));
});

test('a reader that goes away (`ingot build 2>&1 | head -1`) cancels the build, which leaves no mount or work directory behind', {
  skip,
}, async () => {
  writeFileSync(
    join(dir, 'slow.yml'),
    'name: slow\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Wait\n        action: ExecuteBash\n        inputs:\n          commands:\n            - echo waiting\n            - sleep 20\n',
  );
  writeFileSync(join(dir, 'slow-recipe.yml'), 'name: slow-image\nversion: 1.0.0\ncomponents:\n  - uri: slow.yml\n');
  const piped = spawnSync(
    'sh',
    [
      '-c',
      `"${INGOT_BIN}" build "${join(dir, 'slow-recipe.yml')}" --output "${join(dir, 'out-piped')}" --no-cache 2>&1 | head -1; exit 0`,
    ],
    { env: { ...process.env, INGOT_BASES_HOME: TEST_BASES_HOME, ...env }, encoding: 'utf8', timeout: 300_000 },
  );
  assert.equal(piped.stdout.split('\n').filter(Boolean).length, 1, piped.stdout);
  assert.match(piped.stdout, /^ingot build: /);
  assert.ok(!existsSync(join(dir, 'out-piped', 'manifest.json')), 'the build was cancelled, not run to its end');
  const escaped = home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(escaped));
  const work = join(home, 'work');
  const left = existsSync(work) ? readdirSync(work).filter((d) => d.startsWith('build-')) : [];
  assert.deepEqual(left, [], 'the build removed its work directory');
  const steps = spawnSync('pgrep', ['-f', '^sleep 20$'], { encoding: 'utf8' }).stdout.trim();
  assert.equal(steps, '', 'the step is gone with the build');
});

test('bad recipe files are refused with a clear message', async () => {
  writeFileSync(join(dir, 'nameless.yml'), 'components: []\n');
  const r = await runIngot(['build', join(dir, 'nameless.yml')], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /`name` is required/);
  const missingDoc = join(dir, 'missing-doc.yml');
  writeFileSync(missingDoc, 'name: x-image\nversion: 1.0.0\ncomponents:\n  - uri: nowhere.yml\n');
  const r2 = await runIngot(['build', missingDoc], env);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /neither a document file/);
});

test('the build timeout and the instance type memory limit stop runaway components', { skip }, async () => {
  writeFileSync(
    join(dir, 'slow.yml'),
    'name: slow\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Sleep\n        action: ExecuteBash\n        inputs:\n          commands:\n            - sleep 600\n',
  );
  writeFileSync(join(dir, 'slow-recipe.yml'), 'name: slow-image\nversion: 1.0.0\ncomponents:\n  - uri: slow.yml\n');
  const started = Date.now();
  const slow = await runIngot(
    ['build', join(dir, 'slow-recipe.yml'), '--output', join(dir, 'out-slow'), '--timeout', '0.15'],
    env,
  );
  assert.equal(slow.code, 1);
  assert.match(slow.stderr, /did not finish within its timeout of 9 s/);
  assert.ok(Date.now() - started < 60_000, `stopped after ${Date.now() - started} ms`);

  writeFileSync(
    join(dir, 'hog.yml'),
    'name: hog\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Eat\n        action: ExecuteBash\n        inputs:\n          commands:\n            - head -c 3G /dev/zero | tail > /dev/null\n',
  );
  writeFileSync(join(dir, 'hog-recipe.yml'), 'name: hog-image\nversion: 1.0.0\ncomponents:\n  - uri: hog.yml\n');
  const hog = await runIngot(
    [
      'build',
      join(dir, 'hog-recipe.yml'),
      '--output',
      join(dir, 'out-hog'),
      '--instance-type',
      'ingot.small',
      '--no-cache',
    ],
    env,
  );
  assert.equal(hog.code, 1, 'a 3 GiB allocation fails under the 1 GiB limit of ingot.small');
  assert.match(hog.stderr, /on ingot\.small/);
  assert.match(hog.stderr, /exit code 137/, 'killed by the out-of-memory killer of its cgroup');
});

test('an OCI archive from an earlier build is a parent image', { skip }, async () => {
  const out = join(dir, 'out-child');
  const childRecipe = join(dir, 'child-recipe.yml');
  writeFileSync(
    join(dir, 'child.yml'),
    'name: child\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Add\n        action: ExecuteBash\n        inputs:\n          commands:\n            - cat /srv/hello.txt > /srv/child.txt\n',
  );
  writeFileSync(
    childRecipe,
    `name: child-image\nversion: 2.0.0\nparentImage: "oci-archive:${join(dir, 'out1', 'image.oci.tar')}:1.0.0"\ncomponents:\n  - uri: child.yml\ndockerfileTemplateData: |\n  FROM {{{ imagebuilder:parentImage }}}\n  {{{ imagebuilder:components }}}\n`,
  );
  const r = await runIngot(['build', childRecipe, '--output', out], env);
  assert.equal(r.code, 0, r.stderr);
  const bundle = join(dir, 'bundle-child');
  execFileSync('umoci', ['unpack', '--image', `${join(out, 'oci')}:2.0.0`, bundle], { stdio: 'pipe' });
  assert.equal(readFileSync(join(bundle, 'rootfs/srv/child.txt'), 'utf8'), 'hello\n');
  // The parent's config (ENTRYPOINT from the first build) carries over.
  const inspect = JSON.parse(
    execFileSync('skopeo', ['inspect', '--config', `oci:${join(out, 'oci')}:2.0.0`], { encoding: 'utf8' }),
  ) as { config: { Entrypoint?: string[] } };
  assert.deepEqual(inspect.config.Entrypoint, ['cat']);
});
