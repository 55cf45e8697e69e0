/**
 * @module Reuse of the package inventory between builds (src/sbom/inventory-reuse.ts) through the
 * evidence stage on real overlay mounts: a top layer that writes only outside etc/usr/var (or adds
 * files under /etc but not os-release) gets the
 * SBOMs a full reading writes (documents compared); a layer touching var/ is read afresh; an
 * inventory that followed a link out of etc/usr/var is never kept.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gatherEvidence } from '../../src/engine/evidence.ts';
import { INVENTORIES_KEPT, inventoryKey, saveInventory } from '../../src/sbom/inventory-reuse.ts';

type Json = Record<string, unknown>;
let dir: string;
const skip = process.getuid?.() !== 0 ? 'needs root (the evidence mounts an overlay of the layers)' : undefined;

const pkg = (name: string, license: string) => ({
  status: `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n\n`,
  files: {
    [`var/lib/dpkg/info/${name}.md5sums`]: `d41d8cd98f00b204e9800998ecf8427e  usr/bin/${name}\n`,
    [`usr/share/doc/${name}/copyright`]: `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: ${license}\n`,
  },
});

/** A layer directory with these files (relative path → text). */
function layer(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

function dpkgLayer(name: string, pkgs: ReturnType<typeof pkg>[], extra: Record<string, string> = {}): string {
  return layer(name, {
    'var/lib/dpkg/status': pkgs.map((p) => p.status).join(''),
    ...Object.assign({}, ...pkgs.map((p) => p.files)),
    ...extra,
  });
}

async function evidence(lowerDirs: string[], ids?: string[]): Promise<{ spdx: Json; cdx: Json; log: string[] }> {
  const out = mkdtempSync(join(dir, 'out-'));
  const log: string[] = [];
  await gatherEvidence({
    outputDir: out,
    home: dir,
    workDir: dir,
    lowerDirs,
    name: 'web',
    version: '1.0.0',
    options: {},
    onEvent: (e) => {
      if (e.type === 'log') log.push(e.line);
    },
    ...(ids ? { inventoryCache: { dir: join(dir, 'inventories'), ids } } : {}),
  });
  const read = (f: string) => JSON.parse(readFileSync(join(out, f), 'utf8')) as Json;
  return { spdx: read('sbom.spdx.json'), cdx: read('sbom.cdx.json'), log };
}

/** The documents without what differs between any two runs (creation time, random ids). */
function stable(doc: { spdx: Json; cdx: Json }): unknown {
  const spdx = {
    ...doc.spdx,
    documentNamespace: '',
    creationInfo: { ...(doc.spdx.creationInfo as Json), created: '' },
  };
  const cdx = { ...doc.cdx, serialNumber: '', metadata: { ...(doc.cdx.metadata as Json), timestamp: '' } };
  return { spdx, cdx };
}

const reused = (log: string[]) => log.some((l) => l.includes('inventory of the layers below is reused'));
const kept = () => readdirSync(join(dir, 'inventories')).filter((n) => n.endsWith('.json')).length;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-sbom-reuse-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a top layer outside etc/usr/var reuses the inventory and gets the documents of a full reading', {
  skip,
}, async () => {
  const base = dpkgLayer('base', [pkg('alpha', 'MIT')], { 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n' });
  const apps = dpkgLayer('apps', [pkg('alpha', 'MIT'), pkg('beta', 'Apache-2.0')]);
  const srv1 = layer('srv1', { 'srv/index.html': 'one\n' });
  const srv2 = layer('srv2', { 'srv/index.html': 'two\n', 'opt/app/run': 'x\n' });
  const first = await evidence([srv1, apps, base], ['sha256:s1', 'sha256:apps', 'base/0']);
  assert.equal(reused(first.log), false);
  assert.equal(kept(), 1);
  const again = await evidence([srv2, apps, base], ['sha256:s2', 'sha256:apps', 'base/0']);
  assert.equal(reused(again.log), true);
  const full = await evidence([srv2, apps, base]);
  assert.deepEqual(stable(again), stable(full));
  assert.equal((full.cdx.components as Json[]).length, 2);
  // A layer that touches var/ (a package installed) is read afresh: three packages.
  const more = dpkgLayer('more', [pkg('alpha', 'MIT'), pkg('beta', 'Apache-2.0'), pkg('gamma', 'GPL-2.0')]);
  const fresh = await evidence([more, srv1, apps, base], ['sha256:more', 'sha256:s1', 'sha256:apps', 'base/0']);
  assert.equal(reused(fresh.log), false);
  assert.equal((fresh.cdx.components as Json[]).length, 3);
});

test('an inventory that followed a link out of etc/usr/var is not kept', { skip }, async () => {
  const before = kept();
  const base = dpkgLayer('linked', [pkg('delta', 'MIT')], { 'srv/license': 'x\n' });
  rmSync(join(base, 'usr/share/doc/delta/copyright'));
  symlinkSync('/srv/license', join(base, 'usr/share/doc/delta/copyright'));
  const top = layer('linked-top', { 'srv/license': 'Format: x\n\nFiles: *\nLicense: BSD-3-Clause\n' });
  const r = await evidence([top, base], ['sha256:top', 'sha256:linked']);
  assert.equal(reused(r.log), false);
  assert.equal(kept(), before);
});

test('the key skips top layers without usr/var or /etc/os-release; the kept inventories are bounded', async () => {
  const a = layer('key-a', { 'srv/a': 'a' });
  const b = layer('key-b', { 'var/lib/b': 'b' });
  const conf = layer('key-conf', { 'etc/motd': 'a config file under /etc' });
  const osRelease = layer('key-os', { 'etc/os-release': 'ID=other\n' });
  const base = layer('key-base', { 'etc/os-release': 'ID=debian\n' });
  const k1 = await inventoryKey([a, b, base], ['a1', 'b', 'base']);
  assert.equal(await inventoryKey([a, b, base], ['a2', 'b', 'base']), k1);
  assert.notEqual(await inventoryKey([a, b, base], ['a1', 'b2', 'base']), k1);
  assert.notEqual(await inventoryKey([a, b, base], ['a1', 'b', 'base'], 'other-account'), k1);
  assert.equal(await inventoryKey([a, base], ['a1']), undefined);
  // A plain etc/ without os-release leaves the inventory; os-release, or an opaque etc/, does not.
  const k2 = await inventoryKey([conf, b, base], ['c1', 'b', 'base']);
  assert.equal(await inventoryKey([conf, b, base], ['c2', 'b', 'base']), k2);
  assert.notEqual(
    await inventoryKey([osRelease, b, base], ['o1', 'b', 'base']),
    await inventoryKey([osRelease, b, base], ['o2', 'b', 'base']),
  );
  if (process.getuid?.() === 0) {
    const opaque = layer('key-opaque', { 'etc/motd': 'x' });
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(opaque, 'etc')]);
    assert.notEqual(
      await inventoryKey([opaque, b, base], ['p1', 'b', 'base']),
      await inventoryKey([opaque, b, base], ['p2', 'b', 'base']),
    );
  }
  const inv = join(dir, 'bounded');
  for (let i = 0; i < INVENTORIES_KEPT + 3; i++)
    await saveInventory(inv, String(i).padStart(64, '0'), {
      distro: { id: '', versionId: '', prettyName: '' },
      packages: [],
    });
  assert.equal(readdirSync(inv).length, INVENTORIES_KEPT);
});
