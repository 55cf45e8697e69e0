/**
 * @module What a build keeps is durable before it says so, by fsync of those files (its build
 * instances mount their overlay volatile, so no unmount syncs the host's file system): seen with
 * strace, the new layer's files before the layer cache records them, and every output before
 * `ingot build` exits with success; a tree too large for an fsync per file gets one syncfs; a
 * bootstrapped base and the bootable-disk layer kept beside it before they are recorded.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { bootstrapUnavailable, sharedTestBase, TEST_BASES_HOME } from '../helpers/test-base.ts';
import { fakeMmdebstrapBin } from '../helpers/fake-mmdebstrap.ts';
import { tarRootfs, tinyRootfs } from '../helpers/tiny-rootfs.ts';

const root = resolve(import.meta.dirname, '../..');
const node = join(root, 'node_modules/.bin/node');
const hasStrace = spawnSync('strace', ['-V']).status === 0;
const skip = !hasStrace ? 'needs strace (scripts/install-system-deps.sh)' : false;
const skipRoot = skip || (process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs)' : false);

/** Runs argv under strace; returns the paths (strace -y) that fsync/fdatasync/syncfs got, in order, with the call. */
function traced(argv: string[], env: NodeJS.ProcessEnv = process.env): { calls: [string, string][]; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-strace-'));
  try {
    const out = join(dir, 'trace');
    const r = spawnSync('strace', ['-f', '-y', '-qq', '-e', 'trace=fsync,fdatasync,syncfs', '-o', out, ...argv], {
      env,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const calls: [string, string][] = [];
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      const m = /(fsync|fdatasync|syncfs)\(\d+<([^>]*)>/.exec(line);
      if (m) calls.push([m[1]!, m[2]!]);
    }
    return { calls, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** argv running `code` as an ES module in the project's Node. */
const nodeModule = (code: string): string[] => [node, '--input-type=module', '-e', code];

const durableScript = (dir: string, max: number) =>
  nodeModule(
    `const { makeDurable } = await import(${JSON.stringify(join(root, 'src/engine/durable.ts'))}); console.error(await makeDurable(${JSON.stringify(dir)}, ${max}));`,
  );

test('makeDurable fsyncs every file and directory of a tree, the tree and its parent; a large tree gets one syncfs', {
  skip,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-durable-'));
  try {
    const tree = join(dir, 'layer');
    mkdirSync(join(tree, 'etc/app'), { recursive: true });
    writeFileSync(join(tree, 'etc/app/a.conf'), 'a');
    writeFileSync(join(tree, 'b'), 'b');
    symlinkSync('b', join(tree, 'link'));
    writeFileSync(join(tree, 'x.tmp-1-2'), 'being written by another writer');
    const { calls } = traced(durableScript(tree, 100));
    const synced = new Set(calls.filter(([c]) => c === 'fsync').map(([, p]) => p));
    for (const p of ['etc', 'etc/app', 'etc/app/a.conf', 'b'])
      assert.ok(synced.has(join(tree, p)), `${p}: ${[...synced]}`);
    assert.ok(synced.has(tree) && synced.has(dir), 'the tree and the directory naming it');
    assert.ok(!synced.has(join(tree, 'x.tmp-1-2')), 'a temp file is its writer’s to sync');
    assert.ok(!calls.some(([c]) => c === 'syncfs'));
    const big = traced(durableScript(tree, 2));
    assert.deepEqual(
      big.calls.map(([c]) => c),
      ['syncfs'],
      'more entries than the limit: one syncfs of the file system',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ingot build: the new layer is fsynced before the cache records it, every output before success', {
  skip: skipRoot,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-durable-build-'));
  try {
    tinyRootfs(join(dir, 'root'), { dpkg: false });
    tarRootfs(join(dir, 'root'), join(dir, 'tiny.tar.zst'));
    const step = (name: string, command: string) =>
      `  - name: ${name}\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n            - ${JSON.stringify(command)}\n`;
    writeFileSync(
      join(dir, 'c.yml'),
      `name: c\nschemaVersion: 1.0\nphases:\n${step('build', 'mkdir -p /srv/site && echo kept > /srv/site/index.html')}${step('test', 'test -s /srv/site/index.html')}`,
    );
    writeFileSync(
      join(dir, 'recipe.yml'),
      `name: durable\nversion: 1.0.0\nparentImage: ${join(dir, 'tiny.tar.zst')}\n` +
        `dockerfileTemplateData: "FROM {{{ imagebuilder:parentImage }}}\\n{{{ imagebuilder:components }}}\\n"\n` +
        'components:\n  - uri: c.yml\n',
    );
    const out = join(dir, 'out');
    const home = join(dir, 'home');
    const { calls } = traced([join(root, 'bin/ingot'), 'build', join(dir, 'recipe.yml'), '--output', out], {
      ...process.env,
      INGOT_HOME: home,
      INGOT_BASES_HOME: join(dir, 'bases'),
    });
    const synced = calls.filter(([c]) => c === 'fsync' || c === 'fdatasync').map(([, p]) => p);
    // The layer's files, under the build's work dir (before the cache moved them), and its blob.
    const layerFile = synced.findIndex((p) => p.endsWith('/upper/srv/site/index.html'));
    assert.ok(layerFile >= 0, `the layer's new file was fsynced: ${synced.join(' ')}`);
    assert.ok(
      synced.some((p) => p.endsWith('/upper/srv/site')),
      'and its new directory',
    );
    assert.ok(
      synced.some((p) => /\/layer-[^/]+\/layer\.blob$/.test(p)),
      'and the layer blob',
    );
    // Every output file and directory, at the end (after the build instance's fsyncs).
    const files = readdirSync(out, { recursive: true }).map((p) => join(out, String(p)));
    for (const f of [out, ...files])
      assert.ok(synced.lastIndexOf(f) > layerFile, `${relative(dir, f)} fsynced before success`);
    // The archive's bulk was flushed as it was written.
    assert.ok(
      calls.some(([c, p]) => c === 'fdatasync' && p.includes('image.oci.tar.tmp-')),
      'the archive is flushed while it is written',
    );
    assert.ok(!calls.some(([c]) => c === 'syncfs'), 'no syncfs for a small layer');
  } finally {
    execFileSync('rm', ['-rf', dir]);
  }
});

test("a no-op rebuild's placed outputs are durable before success", {
  skip: skipRoot || bootstrapUnavailable() || false,
}, async () => {
  await sharedTestBase();
  const dir = mkdtempSync(join(tmpdir(), 'ingot-durable-noop-'));
  try {
    writeFileSync(
      join(dir, 'c.yml'),
      'name: c\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands: ["echo kept > /srv/noop.txt"]\n',
    );
    writeFileSync(
      join(dir, 'recipe.yml'),
      'name: durable-noop\nversion: 1.0.0\nparentImage: debian-12\ncomponents:\n  - uri: c.yml\n',
    );
    const env = { ...process.env, INGOT_HOME: join(dir, 'home'), INGOT_BASES_HOME: TEST_BASES_HOME };
    const argv = (out: string) => [
      join(root, 'bin/ingot'),
      'build',
      join(dir, 'recipe.yml'),
      '--output',
      out,
      '--skip-tests',
    ];
    const first = spawnSync(argv(join(dir, 'out1'))[0]!, argv(join(dir, 'out1')).slice(1), { env, encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    const out = join(dir, 'out2');
    const { calls, stderr } = traced(argv(out), env);
    assert.match(stderr, /nothing changed since the last build/, 'the fast no-op path ran');
    const synced = calls.filter(([c]) => c === 'fsync' || c === 'fdatasync').map(([, p]) => p);
    const entries = readdirSync(out, { recursive: true }).map((p) => join(out, String(p)));
    assert.ok(entries.length > 3);
    for (const f of [out, dir, ...entries]) assert.ok(synced.includes(f), `${relative(dir, f)} fsynced before success`);
  } finally {
    execFileSync('rm', ['-rf', dir]);
  }
});

test('a bootstrapped base is synced (syncfs of its tree, then its metadata and names) before it is recorded as current', {
  skip,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-durable-base-'));
  try {
    const apt = join(dir, 'apt');
    mkdirSync(join(apt, 'sources.list.d'), { recursive: true });
    writeFileSync(join(apt, 'sources.list'), 'deb http://mirror.example.net/debian bookworm main\n');
    const home = join(dir, 'home');
    const { calls } = traced(
      nodeModule(
        `const { ensureBaseImage } = await import(${JSON.stringify(join(root, 'src/bases/ensure.ts'))});
         const b = await ensureBaseImage('debian-12-minimal', { ingotHome: ${JSON.stringify(home)}, aptDir: ${JSON.stringify(apt)} });
         console.error(b.rootfsDir);`,
      ),
      {
        ...process.env,
        PATH: `${fakeMmdebstrapBin(dir, [
          'mkdir -p "$target/etc" "$target/var/lib/dpkg" && echo "12.99" > "$target/etc/debian_version"',
          'printf "Package: a\\nStatus: install ok installed\\n\\n" > "$target/var/lib/dpkg/status"',
        ])}:${process.env.PATH}`,
      },
    );
    const bases = join(home, 'bases/debian-12-minimal');
    const at = (call: string, path: RegExp) => calls.findIndex(([c, p]) => c === call && path.test(p));
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const syncfs = at('syncfs', new RegExp(`^${esc(bases)}/\\.building-[^/]+/rootfs$`));
    const meta = at('fsync', new RegExp(`^${esc(bases)}/\\.building-[^/]+/metadata\\.json$`));
    const building = at('fsync', new RegExp(`^${esc(bases)}/\\.building-[^/]+$`));
    const named = calls.findLastIndex(([c, p]) => c === 'fsync' && p === bases);
    assert.ok(syncfs >= 0, `one syncfs of the new tree's file system: ${JSON.stringify(calls)}`);
    // Its metadata and directory are fsynced side by side (in either order), after the syncfs.
    assert.ok(meta > syncfs && building > syncfs, `then its metadata and directory: ${JSON.stringify(calls)}`);
    assert.ok(
      named > Math.max(meta, building),
      `then the directory naming it (rename, current link): ${JSON.stringify(calls)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bootable-disk layer kept beside the base: its new names are fsynced before and after the rename', {
  skip,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-durable-bootlayer-'));
  try {
    const base = join(dir, 'base');
    mkdirSync(base);
    const { calls } = traced(
      nodeModule(
        `import { mkdir, writeFile } from 'node:fs/promises';
       const { ensureBootLayer } = await import(${JSON.stringify(join(root, 'src/bases/boot-layers.ts'))});
       const r = await ensureBootLayer(${JSON.stringify(base)}, '${'a'.repeat(64)}', async (d) => {
         await mkdir(d + '/diff/boot', { recursive: true });
         await writeFile(d + '/diff/boot/vmlinuz', 'kernel');
         await writeFile(d + '/layer.blob', 'blob');
         return { diffDir: d + '/diff', blobPath: d + '/layer.blob', component: { name: 'boot' }, layer: { digest: 'sha256:00' } };
       });
       console.error(r.stored.diffDir);`,
      ),
    );
    const synced = calls.filter(([c]) => c === 'fsync').map(([, p]) => p);
    const staged = synced.findIndex((p) => /\/\.building-[^/]+\/staged\/layer\.json$/.test(p));
    const named = synced.findLastIndex((p) => /\/boot-layers$/.test(p));
    assert.ok(staged >= 0, `layer.json before the rename: ${JSON.stringify(synced)}`);
    assert.ok(named > staged, `the directory naming the layer after the rename: ${JSON.stringify(synced)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
