/**
 * @module The layering rule of .dependency-cruiser.cjs really fails `npm run check` on an upward
 * import or a cycle: a scratch tree with one is cruised with the project's own configuration.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

function cruise(files: Record<string, string>): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-layers-'));
  try {
    copyFileSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const r = spawnSync(process.execPath, [depcruise, 'src', '--config', join(root, '.dependency-cruiser.cjs')], {
      cwd: dir,
      encoding: 'utf8',
    });
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a downward import passes the layering check', () => {
  const r = cruise({
    'src/services/a.ts': "import { b } from '../store/b.ts';\nexport const a = b;\n",
    'src/store/b.ts': 'export const b = 1;\n',
  });
  assert.equal(r.status, 0, r.out);
});

test('an upward import fails the layering check, naming the rule and the files', () => {
  const r = cruise({
    'src/store/b.ts': "import type { A } from '../services/a.ts';\nexport const b: A = 1;\n",
    'src/services/a.ts': 'export type A = number;\n',
  });
  assert.notEqual(r.status, 0);
  assert.match(r.out, /layers: store/);
  assert.match(r.out, /src\/store\/b\.ts → src\/services\/a\.ts/);
});

test('a sibling import within one tier and a cycle both fail', () => {
  const sibling = cruise({
    'src/api/a.ts': "import { s } from '../scheduler/s.ts';\nexport const a = s;\n",
    'src/scheduler/s.ts': 'export const s = 1;\n',
  });
  assert.notEqual(sibling.status, 0);
  assert.match(sibling.out, /layers: api/);
  const cycle = cruise({
    'src/oci/x.ts': "import { y } from './y.ts';\nexport const x = () => y;\n",
    'src/oci/y.ts': "import { x } from './x.ts';\nexport const y = () => x;\n",
  });
  assert.notEqual(cycle.status, 0);
  assert.match(cycle.out, /no-circular/);
});

test('a folder missing from the tiers fails', () => {
  const r = cruise({
    'src/api/a.ts': "import { n } from '../newthing/n.ts';\nexport const a = n;\n",
    'src/newthing/n.ts': 'export const n = 1;\n',
  });
  assert.notEqual(r.status, 0);
  assert.match(r.out, /known-folders/);
});
