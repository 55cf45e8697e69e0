/**
 * @module One /tmp for the whole build instance (src/engine/build-tmp.ts): a file a component's
 * build phase writes to /tmp is there for its validate phase and for the next component's build
 * phase, as on EC2 where they all run on one instance, also when the layers come from the cache;
 * the test phase (a new instance of the image) gets a fresh /tmp, and no /tmp file is in the image.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runIngot } from '../helpers/cli.ts';
import { tarRootfs, tinyRootfs } from '../helpers/tiny-rootfs.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs)' : false;
let dir: string;

const steps = (commands: string[]) =>
  `    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n${commands.map((c) => `            - ${JSON.stringify(c)}`).join('\n')}\n`;

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'ingot-build-tmp-'));
  tinyRootfs(join(dir, 'root'), { dpkg: false });
  tarRootfs(join(dir, 'root'), join(dir, 'tiny.tar.zst'));
  writeFileSync(
    join(dir, 'writer.yml'),
    `name: writer\nschemaVersion: 1.0\nphases:\n  - name: build\n${steps(['echo from-build > /tmp/state.txt'])}` +
      `  - name: validate\n${steps(['read -r v < /tmp/state.txt && test "$v" = from-build'])}` +
      `  - name: test\n${steps(['test ! -e /tmp/state.txt'])}`,
  );
  writeFileSync(
    join(dir, 'reader.yml'),
    `name: reader\nschemaVersion: 1.0\nphases:\n  - name: build\n${steps(['cat /tmp/state.txt > /etc/seen.txt'])}`,
  );
  writeFileSync(
    join(dir, 'recipe.yml'),
    `name: tmp-kept\nversion: 1.0.0\nparentImage: ${join(dir, 'tiny.tar.zst')}\ncomponents:\n  - uri: writer.yml\n  - uri: reader.yml\n`,
  );
});
after(() => {
  if (!skip) rmSync(dir, { recursive: true, force: true });
});

test('/tmp is kept from build to validate phases and across components, also from cached layers', {
  skip,
}, async () => {
  const env = { INGOT_HOME: join(dir, 'home') };
  for (const run of ['first', 'cached']) {
    const out = join(dir, `out-${run}`);
    const r = await runIngot(['build', join(dir, 'recipe.yml'), '--output', out], env);
    assert.equal(r.code, 0, `${run}: ${r.stderr}`);
    if (run === 'cached') assert.match(r.stderr, /cached/, 'the second build takes its layers from the cache');
    const files = execFileSync('tar', ['--zstd', '-tf', join(out, 'rootfs.tar.zst')], { encoding: 'utf8' });
    assert.match(files, /etc\/seen\.txt/);
    assert.doesNotMatch(files, /tmp\/state\.txt/, 'the build /tmp is in no layer');
    const seen = execFileSync('tar', ['--zstd', '-xOf', join(out, 'rootfs.tar.zst'), './etc/seen.txt'], {
      encoding: 'utf8',
    });
    assert.equal(seen, 'from-build\n');
  }
});
