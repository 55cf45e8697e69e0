/**
 * @module The container base layer prepared with the base (src/bases/base-layer-blob.ts): `ingot
 * bases refresh` makes the base's gzip layer beside it, with progress, and a container build in a
 * fresh INGOT_HOME takes it as the image's first layer without making a new one. mmdebstrap is
 * the one stand-in (it lays down a tiny tree of the host's own bash, coreutils and libraries, so
 * the test stays fast); the bases code, the sandboxes and the build are the real ones.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { runIngot } from '../helpers/cli.ts';
import { fakeMmdebstrapBin } from '../helpers/fake-mmdebstrap.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs)' : false;
const dir = mkdtempSync(join(tmpdir(), 'ingot-base-layer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A tiny Debian-like tree: the host's sh, bash and the tools the component runner uses, with their libraries. */
function template(): string {
  const root = join(dir, 'template');
  for (const d of ['usr/bin', 'usr/lib', 'usr/lib64', 'etc', 'tmp', 'var/lib/dpkg', 'root'])
    mkdirSync(join(root, d), { recursive: true });
  for (const l of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${l === 'sbin' ? 'bin' : l}`, join(root, l));
  const tools = ['sh', 'bash', 'cat', 'mktemp', 'rm', 'mkdir', 'echo', 'test'].map((t) =>
    execFileSync('sh', ['-c', `which ${t} | xargs realpath`], { encoding: 'utf8' }).trim(),
  );
  const libs = new Set<string>();
  for (const tool of tools) {
    copyFileSync(tool, join(root, 'usr/bin', tool.split('/').pop()!));
    chmodSync(join(root, 'usr/bin', tool.split('/').pop()!), 0o755);
    for (const m of execFileSync('ldd', [tool], { encoding: 'utf8' }).matchAll(/(\/\S+\.so[.\d]*)/g)) libs.add(m[1]!);
  }
  if (!existsSync(join(root, 'usr/bin/sh'))) symlinkSync('dash', join(root, 'usr/bin/sh'));
  for (const lib of libs) {
    const target = join(root, lib.replace(/^\/(usr\/)?/, 'usr/'));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(execFileSync('realpath', [lib], { encoding: 'utf8' }).trim(), target);
  }
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
  writeFileSync(join(root, 'etc/os-release'), 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n');
  writeFileSync(join(root, 'etc/debian_version'), '12.99\n');
  writeFileSync(
    join(root, 'var/lib/dpkg/status'),
    'Package: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u1\nArchitecture: amd64\n',
  );
  return root;
}

/** A PATH entry whose `mmdebstrap` copies the template to its target. */
function fakeMmdebstrap(tree: string): string {
  return fakeMmdebstrapBin(dir, [
    'echo "I: fake bootstrap into $target" >&2',
    `mkdir -p "$target" && cp -a ${tree}/. "$target"/`,
  ]);
}

const COMPONENT = `name: write-hello
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Write
        action: ExecuteBash
        inputs:
          commands:
            - mkdir -p /srv && echo hello > /srv/hello.txt
`;

test('a base prepared by `ingot bases refresh` has its gzip container layer, and a build takes it without making one', {
  skip,
  timeout: 5 * 60_000,
}, async () => {
  const basesHome = join(dir, 'bases-home');
  const env = {
    PATH: `${fakeMmdebstrap(template())}:${process.env.PATH}`,
    INGOT_BASES_HOME: basesHome,
    INGOT_HOME: join(dir, 'home-1'),
  };
  const refresh = await runIngot(['bases', 'refresh', 'debian-12-minimal'], env);
  assert.equal(refresh.code, 0, refresh.stderr);
  assert.match(refresh.stderr, /making the gzip container base layer \(once per base\)/, 'progress while it is made');
  const made = /base layer (sha256:[0-9a-f]{12}) \(gzip, \d+ MB\) made in [\d.]+ s/.exec(refresh.stderr);
  assert.ok(made, refresh.stderr);
  const versionDir = join(basesHome, 'bases/debian-12-minimal/current');
  const blob = join(versionDir, 'base-layer.gzip.blob');
  const descriptor = JSON.parse(readFileSync(join(versionDir, 'base-layer.gzip.json'), 'utf8')) as {
    digest: string;
    size: number;
  };
  assert.equal(statSync(blob).size, descriptor.size);
  assert.ok(descriptor.digest.startsWith(made[1]!));
  assert.match(
    execFileSync('tar', ['-tzf', blob], { encoding: 'utf8' }),
    /^usr\/bin\/bash$/m,
    'the base tree, gzipped',
  );
  const before = statSync(blob);

  writeFileSync(join(dir, 'hello.yml'), COMPONENT);
  const recipe = join(dir, 'recipe.yml');
  writeFileSync(
    recipe,
    [
      'name: hello',
      'version: 1.0.0',
      'parentImage: debian-12-minimal',
      'components:',
      '  - uri: hello.yml',
      'dockerfileTemplateData: |',
      '  FROM {{{ imagebuilder:parentImage }}}',
      '  {{{ imagebuilder:components }}}',
      'targetRepository: { service: ECR, repositoryName: hello }',
      '',
    ].join('\n'),
  );
  const out = join(dir, 'out');
  const build = await runIngot(['build', recipe, '--output', out, '--skip-tests'], {
    ...env,
    INGOT_HOME: join(dir, 'home-2'),
  });
  assert.equal(build.code, 0, build.stderr);
  assert.match(build.stderr, /base layer sha256:\S+ \(gzip, [\d.]+ MB\): kept with the base$/m);
  assert.doesNotMatch(build.stderr, /making the gzip container base layer/);
  const after = statSync(blob);
  assert.deepEqual([after.ino, after.mtimeMs], [before.ino, before.mtimeMs], 'the blob is not made again');
  assert.deepEqual(
    readdirSync(versionDir)
      .filter((f) => f.startsWith('base-layer.'))
      .sort(),
    ['base-layer.gzip.blob', 'base-layer.gzip.json'],
    'no other blob beside the base',
  );
  const index = JSON.parse(readFileSync(join(out, 'oci/index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifestHex = index.manifests[0]!.digest.replace('sha256:', '');
  const manifest = JSON.parse(readFileSync(join(out, 'oci/blobs/sha256', manifestHex), 'utf8')) as {
    layers: { digest: string }[];
  };
  assert.equal(manifest.layers[0]!.digest, descriptor.digest, "the image's first layer is the kept blob");
});
