/**
 * @module docs/architecture.md's table of layers is the real one: the same folders, in the same
 * tiers, as `.dependency-cruiser.cjs` checks, and every folder of src/ is in it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import test from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const config = require(join(root, '.dependency-cruiser.cjs')) as {
  forbidden: { name: string; from: { path?: string } }[];
};

function documentedTiers(): [number, string][] {
  const text = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
  const table = text.slice(text.indexOf('<!-- tiers:begin -->'), text.indexOf('<!-- tiers:end -->'));
  return [...table.matchAll(/^\| (\d+) \| `src\/([a-z0-9-]+)\/` \|/gm)].map((m) => [Number(m[1]), m[2]!]);
}

test('every folder of src/ is in the documented layers, once', () => {
  const real = readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const documented = documentedTiers().map(([, f]) => f);
  assert.deepEqual([...documented].sort(), real);
  assert.equal(new Set(documented).size, documented.length);
});

test('the documented tiers are the ones dependency-cruiser checks', () => {
  // The rule of a folder forbids every folder in its own and higher tiers: the count gives its tier.
  const forbiddenCount = new Map<string, number>();
  for (const rule of config.forbidden) {
    const m = /^layers: (.+)$/.exec(rule.name);
    if (!m) continue;
    const to = (rule as unknown as { to: { path: string } }).to.path;
    forbiddenCount.set(m[1]!, to.split('|').length);
  }
  const doc = documentedTiers();
  for (const [tier, folder] of doc) {
    const expected = doc.filter(([t, f]) => t <= tier && f !== folder).length;
    assert.equal(forbiddenCount.get(folder) ?? 0, expected, `tier of src/${folder}/`);
  }
});
