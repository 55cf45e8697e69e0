/**
 * @module The README's examples ship in `examples/`: every recipe there loads (its component
 * documents resolve), and every `ingot build` command in the README names a file that exists.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRecipeFile } from '../../src/recipe-file/load.ts';

const root = join(import.meta.dirname, '../..');

test('every recipe in examples/ loads with its component documents', async () => {
  const recipes = readdirSync(join(root, 'examples')).filter((f) => /\.ya?ml$/.test(f) && f !== 'hello.yml');
  assert.ok(recipes.includes('seed-recipe.yml') && recipes.includes('web.yml'));
  for (const f of recipes) {
    const request = await loadRecipeFile(join(root, 'examples', f));
    assert.ok(request.components.length > 0, f);
  }
  const web = await loadRecipeFile(join(root, 'examples/web.yml'));
  assert.equal(web.kind, 'container');
  assert.deepEqual(
    web.components.map((c) => c.name),
    ['install-nginx', 'site'],
  );
});

test("the README's ingot build and create-component commands name files of the repository", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const files = [...readme.matchAll(/ingot build (\S+\.ya?ml)|file:\/\/(\S+\.ya?ml)/g)].map((m) => m[1] ?? m[2]!);
  assert.ok(files.length >= 2, 'the README shows ingot build examples');
  for (const f of files) {
    if (/^[A-Z]+$|RECIPE|FILE/.test(f)) continue;
    assert.ok(existsSync(join(root, f)), `README names ${f}, which is not in the repository`);
  }
});
