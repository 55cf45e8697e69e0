/**
 * @module The product brief's seed recipe (test/fixtures/seed-recipe.yml, a copy of
 * ../shared/examples/seed-recipe.yml): no parentImage, two informal managed component names.
 * It builds end to end with `ingot build` and, as the equivalent recipe, through the API.
 * Slow (it installs the AWS CLI from Debian's packages twice): about two minutes.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runIngot, TEST_BASES_HOME } from '../helpers/cli.ts';
import { startTestServer } from '../helpers/server.ts';

const SEED = new URL('../fixtures/seed-recipe.yml', import.meta.url).pathname;
const skip = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs)' : false;
const dir = mkdtempSync(join(tmpdir(), 'ingot-seed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('ingot build builds the seed recipe on the default parent with real managed components', { skip }, async () => {
  const out = join(dir, 'out');
  const r = await runIngot(['build', SEED, '--output', out], { INGOT_HOME: join(dir, 'home') });
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    parent: string;
    layers: { component: string }[];
    tests: string;
    artifacts: { path: string }[];
  };
  assert.match(manifest.parent, /^debian-12 /);
  assert.deepEqual(
    manifest.layers.map((l) => l.component),
    ['aws-cli-version-2-linux', 'update-linux'],
  );
  assert.equal(manifest.tests, 'passed');
  const listing = execFileSync('tar', ['--zstd', '-tf', join(out, 'rootfs.tar.zst')], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.match(listing, /^\.\/usr\/bin\/aws$/m, 'the AWS CLI is in the image');
});

test('the same recipe through the API: CreateImage with the managed components reaches AVAILABLE', {
  skip,
}, async () => {
  process.env['INGOT_BASES_HOME'] = TEST_BASES_HOME;
  const t = await startTestServer({ worker: true });
  try {
    const c = t.client();
    const recipe = await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'my-base-image',
        semanticVersion: '1.0.0',
        clientToken: 'seed-1',
        parentImage: 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x',
        components: [
          { componentArn: 'arn:aws:imagebuilder:us-east-1:aws:component/aws-cli-version-2-linux/x.x.x' },
          { componentArn: 'arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x' },
        ],
      }),
    );
    const infra = await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'my-config',
        instanceProfileName: 'ingot',
        clientToken: 'seed-2',
      }),
    );
    const image = await c.send(
      new ib.CreateImageCommand({
        imageRecipeArn: recipe.imageRecipeArn!,
        infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
        clientToken: 'seed-3',
      }),
    );
    const deadline = Date.now() + 600_000;
    let status = '';
    let reason = '';
    while (Date.now() < deadline) {
      const got = (await c.send(new ib.GetImageCommand({ imageBuildVersionArn: image.imageBuildVersionArn! }))).image!;
      status = got.state?.status ?? '';
      reason = got.state?.reason ?? '';
      if (['AVAILABLE', 'FAILED', 'CANCELLED'].includes(status)) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(status, 'AVAILABLE', reason);
  } finally {
    await t.stop();
  }
});
