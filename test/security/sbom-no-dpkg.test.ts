/**
 * @module Images without a dpkg database (a busybox-like rootfs, a user's own non-Debian disk):
 * `ingot build` on a rootfs tarball parent with no /var/lib/dpkg/status writes valid SBOMs with no
 * packages and says so in the log; a dpkg database the SBOM step cannot read fails the build with
 * a one-line reason (no Node stack), over several layers (child process) and over one.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { childFailure, generateSbomsForLayers } from '../../src/sbom/layers.ts';
import { runIngot } from '../helpers/cli.ts';
import { tarRootfs, tinyRootfs } from '../helpers/tiny-rootfs.ts';
import { schemaValidator, toolMissing } from './helpers.ts';

type Json = Record<string, unknown>;
const skip =
  process.getuid?.() !== 0
    ? 'needs root (namespaces, overlayfs)'
    : (toolMissing('zstd', 'scripts/install-system-deps.sh') ?? false);
let dir: string;
let tarball: string;

const component = (name: string, commands: string[]) =>
  `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n${commands.map((c) => `            - ${JSON.stringify(c)}`).join('\n')}\n`;

function recipe(name: string, commands: string[]): string {
  writeFileSync(join(dir, `${name}.yml`), component(name, commands));
  const file = join(dir, `${name}-recipe.yml`);
  writeFileSync(file, `name: ${name}\nversion: 1.0.0\nparentImage: ${tarball}\ncomponents:\n  - uri: ${name}.yml\n`);
  return file;
}

/** No stack trace, no Node banner, one line. */
function assertReadable(text: string): void {
  assert.doesNotMatch(text, /Node\.js v\d|^\s+at |\n\s*}\s*(\||\n)|node:internal/m, text);
}

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'ingot-sbom-nodpkg-'));
  tinyRootfs(join(dir, 'root'), { dpkg: false });
  tarball = join(dir, 'tiny.tar.zst');
  tarRootfs(join(dir, 'root'), tarball);
});
after(() => {
  if (!skip) rmSync(dir, { recursive: true, force: true });
});

test('a parent without dpkg builds: valid SBOMs with no packages, and a log line saying why', { skip }, async () => {
  const out = join(dir, 'out-ok');
  const r = await runIngot(['build', recipe('no-dpkg', ['echo built > /etc/built.txt']), '--output', out], {
    INGOT_HOME: join(dir, 'home'),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /no package database \(\/var\/lib\/dpkg\/status\) in the image: the SBOMs list no packages/);

  const cdx = JSON.parse(readFileSync(join(out, 'sbom.cdx.json'), 'utf8')) as Json;
  assert.deepEqual(
    schemaValidator('bom-1.6.SNAPSHOT.schema.json', ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json'])(
      cdx,
    ),
    [],
  );
  assert.deepEqual(cdx.components, []);
  assert.doesNotMatch(JSON.stringify(cdx.metadata), /Debian/, 'an image with no os-release is not called Debian');
  const spdx = JSON.parse(readFileSync(join(out, 'sbom.spdx.json'), 'utf8')) as Json;
  assert.deepEqual(schemaValidator('spdx-2.3-ingot.schema.json')(spdx), []);
  assert.deepEqual(
    (spdx.packages as Json[]).map((p) => p.SPDXID),
    ['SPDXRef-Image'],
  );
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { evidence: { packages: number } };
  assert.equal(manifest.evidence.packages, 0);
});

test('a dpkg database the SBOM step cannot read fails the build with a one-line reason', { skip }, async () => {
  const r = await runIngot(
    [
      'build',
      recipe('bad-dpkg', [
        'mkdir -p /var/lib/dpkg',
        "printf 'Package: broken\\nStatus: install ok installed\\n' > /var/lib/dpkg/status",
      ]),
      '--output',
      join(dir, 'out-bad'),
    ],
    { INGOT_HOME: join(dir, 'home') },
  );
  assert.equal(r.code, 1, r.stderr);
  const last = r.stderr.trim().split('\n').pop()!;
  assert.match(
    last,
    /SBOM generation failed: \/var\/lib\/dpkg\/status: package 'broken' has no Version field/,
    r.stderr,
  );
  assertReadable(r.stderr);
});

test('generateSbomsForLayers: no dpkg over one and over two layers; an unreadable database is one line', {
  skip,
}, async () => {
  const top = join(dir, 'layer-top');
  mkdirSync(join(top, 'etc'), { recursive: true });
  writeFileSync(join(top, 'etc/os-release'), 'ID=tiny\nVERSION_ID=1\nPRETTY_NAME="Tiny Linux 1"\n');
  for (const lowerDirs of [[join(dir, 'root')], [top, join(dir, 'root')]]) {
    const r = await generateSbomsForLayers({
      lowerDirs,
      outDir: join(dir, `sbom-${lowerDirs.length}`),
      name: 'tiny',
      version: '1.0.0',
    });
    assert.equal(r.packageCount, 0);
    assert.equal(r.packageDatabase, undefined, 'no package database found');
    const cdx = JSON.parse(readFileSync(r.cycloneDxPath, 'utf8')) as {
      metadata: { component: { description: string } };
    };
    assert.equal(cdx.metadata.component.description, lowerDirs.length === 2 ? 'Tiny Linux 1 image' : 'Linux image');
  }
  // A directory where the status file should be: a real failure, reported in one line.
  const broken = join(dir, 'layer-broken');
  mkdirSync(join(broken, 'var/lib/dpkg/status'), { recursive: true });
  for (const lowerDirs of [[broken], [broken, join(dir, 'root')]]) {
    await assert.rejects(
      generateSbomsForLayers({ lowerDirs, outDir: join(dir, 'sbom-broken'), name: 'tiny', version: '1.0.0' }),
      (err: Error) => {
        assert.match(err.message, /^SBOM generation failed: \/var\/lib\/dpkg\/status: .*(EISDIR|directory)/i);
        assert.doesNotMatch(err.message, /\n/);
        assertReadable(err.message);
        return true;
      },
    );
  }
});

test('a crash of the SBOM child process without its error line still gives the error line, not the stack', () => {
  const stderr = [
    'file:///opt/ingot/src/sbom/dpkg-status.ts:78',
    "    throw new IngotError('InvalidParameterValueException', `no dpkg database`);",
    '          ^',
    '',
    'IngotError: something broke in /var/lib/dpkg/status',
    '    at readDpkgPackages (file:///opt/ingot/src/sbom/dpkg-status.ts:78:11)',
    '    at async Promise.all (index 1) {',
    "  awsType: 'InvalidParameterValueException',",
    '  data: {}',
    '}',
    '',
    'Node.js v24.21.0',
  ].join('\n');
  assert.equal(
    childFailure(1, stderr).message,
    'SBOM generation failed: IngotError: something broke in /var/lib/dpkg/status (exit 1)',
  );
  assert.equal(childFailure(137, '').message, 'SBOM generation failed: the SBOM process printed nothing (exit 137)');
  const marked = childFailure(
    1,
    'noise\ningot-sbom-error: {"type":"InvalidParameterValueException","message":"/var/lib/dpkg/status: bad\\nthings"}\n',
  );
  assert.equal(marked.message, 'SBOM generation failed: /var/lib/dpkg/status: bad things');
  assert.equal(marked.awsType, 'InvalidParameterValueException');
});
