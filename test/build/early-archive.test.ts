/**
 * @module A container build's image.oci.tar is started with the base layer's blob as soon as a
 * component's layer is built: a successful build's archive holds the base first and then the whole
 * layout, every blob intact; a build whose build or test phase fails leaves neither the archive
 * nor the layout it started (and still fails).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openLayerCache } from '../../src/cache/layer-cache.ts';
import { runBuild } from '../../src/engine/build.ts';
import { BuildFailure } from '../../src/engine/failure.ts';
import { loadRecipeFile } from '../../src/recipe-file/load.ts';
import { tarRootfs, tinyRootfs } from '../helpers/tiny-rootfs.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs)' : false;

const phase = (name: string, command: string) =>
  `  - name: ${name}\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n            - ${JSON.stringify(command)}\n`;

async function build(dir: string, name: string, build: string, testCommand: string) {
  writeFileSync(
    join(dir, `${name}.yml`),
    `name: ${name}\nschemaVersion: 1.0\nphases:\n${phase('build', build)}${phase('test', testCommand)}`,
  );
  writeFileSync(
    join(dir, `${name}-recipe.yml`),
    `name: ${name}\nversion: 1.0.0\nparentImage: ${join(dir, 'tiny.tar.zst')}\n` +
      `dockerfileTemplateData: "FROM {{{ imagebuilder:parentImage }}}\\n{{{ imagebuilder:components }}}\\n"\n` +
      `components:\n  - uri: ${name}.yml\n`,
  );
  const home = join(dir, 'home');
  const cache = await openLayerCache({ root: join(home, 'cache'), maxBytes: 2 ** 30 });
  const outputDir = join(dir, `out-${name}`);
  try {
    const result = await runBuild(await loadRecipeFile(join(dir, `${name}-recipe.yml`), { runTests: true }), {
      home,
      outputDir,
      cache,
      onEvent: () => {},
    }).catch((err: unknown) => err);
    return { outputDir, result };
  } finally {
    cache.close();
  }
}

test('the archive starts with the base layer while the component builds; a failed build leaves none', {
  skip,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-early-archive-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  tinyRootfs(join(dir, 'root'), { dpkg: false });
  tarRootfs(join(dir, 'root'), join(dir, 'tiny.tar.zst'));

  const ok = await build(dir, 'ok', 'echo made > /etc/made.txt', 'test "$(cat /etc/made.txt)" = made');
  assert.ok(!(ok.result instanceof Error), String(ok.result));
  const archive = join(ok.outputDir, 'image.oci.tar');
  const names = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n');
  const layout = join(ok.outputDir, 'oci');
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(
    readFileSync(join(layout, 'blobs/sha256', index.manifests[0]!.digest.slice(7)), 'utf8'),
  ) as { layers: { digest: string }[] };
  assert.equal(names[3], `./blobs/sha256/${manifest.layers[0]!.digest.slice(7)}`, 'the base layer first');
  assert.equal(names.at(-1), './index.json');
  const blobs = readdirSync(join(layout, 'blobs/sha256'));
  assert.deepEqual(
    names
      .filter((n) => n.startsWith('./blobs/sha256/') && n.length > 15)
      .map((n) => n.slice(15))
      .sort(),
    blobs.sort(),
  );
  const unpacked = join(dir, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xf', archive, '-C', unpacked]);
  for (const hex of blobs)
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(unpacked, 'blobs/sha256', hex)))
        .digest('hex'),
      hex,
    );
  assert.equal(readFileSync(join(unpacked, 'index.json'), 'utf8'), readFileSync(join(layout, 'index.json'), 'utf8'));

  for (const [name, buildCommand, testCommand] of [
    ['badbuild', 'echo half > /etc/half.txt && exit 3', 'true'],
    ['badtest', 'echo made > /etc/made.txt', 'test "$(cat /etc/made.txt)" = other'],
  ] as const) {
    const failed = await build(dir, name, buildCommand, testCommand);
    assert.ok(failed.result instanceof BuildFailure, `${name}: ${String(failed.result)}`);
    assert.equal((failed.result as BuildFailure).stage, name === 'badbuild' ? 'build' : 'test');
    assert.ok(!existsSync(join(failed.outputDir, 'oci')), `${name}: no layout left`);
    assert.deepEqual(
      readdirSync(failed.outputDir).filter((n) => n.startsWith('image.oci.tar')),
      [],
      `${name}: no archive left`,
    );
  }
});
