/** @module End-to-end: overlay layer + base layer → OCI layout/archive, checked with skopeo, umoci and applyLayer. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  canMountOverlay,
  FILE_CAP_NET_RAW,
  have,
  makeBaseTree,
  makeOverlayUpper,
} from '../../../test/fixtures/oci/trees.ts';
import { applyLayer } from '../layer/apply.ts';
import { writeLayer } from '../layer/write-layer.ts';
import { writeOciArchive } from './archive.ts';
import { buildImageConfig } from './config.ts';
import { writeOciLayout } from './layout.ts';
import { parentLayerBlobs, readOciImage } from './read-image.ts';

const tools = ['skopeo', 'umoci'].filter((t) => !have(t));
const skip = !canMountOverlay()
  ? 'needs root and overlayfs mounts'
  : tools.length
    ? `missing ${tools.join(', ')}`
    : false;

function skopeoInspect(ref: string): { Digest: string; Layers: string[]; Architecture: string } {
  return JSON.parse(execFileSync('skopeo', ['inspect', ref], { encoding: 'utf8' })) as {
    Digest: string;
    Layers: string[];
    Architecture: string;
  };
}

/** Checks a rootfs made from base + upper: whiteouts applied, opaque dir replaced, metadata intact. */
function assertRootfs(rootfs: string, opts: { xattrs: boolean }): void {
  assert.ok(!existsSync(join(rootfs, 'etc/remove-me.conf')), 'whited-out file must be gone');
  assert.deepEqual(readdirSync(join(rootfs, 'opt/old')), ['new.txt']);
  assert.equal(readFileSync(join(rootfs, 'etc/os-release'), 'utf8'), 'ID=ingot-test\nVERSION=2\n');
  const run = lstatSync(join(rootfs, 'srv/app/run.sh'));
  assert.deepEqual([run.uid, run.gid, run.mode & 0o7777, run.nlink], [1000, 1001, 0o750, 2]);
  assert.equal(lstatSync(join(rootfs, 'srv/app/run-link.sh')).ino, run.ino);
  assert.equal(lstatSync(join(rootfs, 'usr/bin/tool')).mode & 0o7777, 0o4755);
  assert.equal(lstatSync(join(rootfs, 'usr/bin/tool')).ino, lstatSync(join(rootfs, 'usr/bin/tool-alias')).ino);
  assert.equal(readlinkSync(join(rootfs, 'usr/bin/run')), '../srv/app/run.sh');
  assert.equal(readlinkSync(join(rootfs, 'bin')), 'usr/bin');
  assert.ok(lstatSync(join(rootfs, 'srv/app/fifo')).isFIFO());
  const dev = lstatSync(join(rootfs, 'srv/app/null'));
  assert.ok(dev.isCharacterDevice());
  assert.equal(dev.rdev, (1 << 8) | 3);
  assert.equal(lstatSync(join(rootfs, 'srv/app')).uid, 1000);
  if (opts.xattrs) {
    const value = execFileSync(
      'getfattr',
      ['--absolute-names', '-e', 'hex', '-n', 'user.ingot.test', join(rootfs, 'srv/app/tagged')],
      { encoding: 'utf8' },
    );
    assert.match(value, /user\.ingot\.test=0x00ff41/);
    const caps = execFileSync(
      'getfattr',
      ['--absolute-names', '-e', 'hex', '-n', 'security.capability', join(rootfs, 'srv/app/tagged')],
      { encoding: 'utf8' },
    );
    assert.ok(caps.includes(`security.capability=${FILE_CAP_NET_RAW}`), caps);
  }
}

for (const compression of ['gzip', 'zstd'] as const) {
  describe(`OCI image layout (${compression})`, { skip }, () => {
    let tmp = '';
    let layout = '';
    let archive = '';
    before(async () => {
      tmp = mkdtempSync(join(tmpdir(), 'ingot-image-'));
      const base = join(tmp, 'base');
      mkdirSync(base);
      makeBaseTree(base);
      const upper = makeOverlayUpper(tmp, base);
      const baseLayer = await writeLayer({
        sourceDir: base,
        kind: 'full-rootfs',
        compression,
        outFile: join(tmp, 'base.layer'),
      });
      const upperLayer = await writeLayer({
        sourceDir: upper,
        kind: 'overlay-upper',
        compression,
        outFile: join(tmp, 'upper.layer'),
      });
      const config = buildImageConfig({
        created: '2026-01-01T00:00:00Z',
        layers: [
          { diffId: baseLayer.diffId, createdBy: 'ingot base test-base' },
          { diffId: upperLayer.diffId, createdBy: 'ingot component app/1.0.0' },
        ],
        runtime: { Entrypoint: ['/srv/app/run.sh'], Env: ['PATH=/usr/bin'], Labels: { a: 'b' } },
      });
      layout = join(tmp, 'layout');
      await writeOciLayout({
        dir: layout,
        tag: 'v1',
        config,
        annotations: { 'org.opencontainers.image.version': '1.0.0' },
        layers: [
          { descriptor: baseLayer, file: join(tmp, 'base.layer') },
          { descriptor: upperLayer, file: join(tmp, 'upper.layer') },
        ],
      });
      archive = join(tmp, 'image.tar');
      await writeOciArchive(layout, archive);
    });
    after(() => rmSync(tmp, { recursive: true, force: true }));

    test('skopeo inspects the layout and the archive identically', () => {
      const fromDir = skopeoInspect(`oci:${layout}:v1`);
      const fromArchive = skopeoInspect(`oci-archive:${archive}:v1`);
      assert.equal(fromDir.Layers.length, 2);
      assert.equal(fromDir.Architecture, 'amd64');
      assert.equal(fromDir.Digest, fromArchive.Digest);
    });

    test('skopeo copies it to a dir: transport', () => {
      const out = join(tmp, 'copied');
      execFileSync('skopeo', ['copy', '--quiet', `oci:${layout}:v1`, `dir:${out}`]);
      assert.ok(existsSync(join(out, 'manifest.json')));
    });

    test('umoci unpacks a rootfs with whiteouts applied and metadata intact', () => {
      const bundle = join(tmp, 'bundle');
      let image = `${layout}:v1`;
      if (compression === 'zstd') {
        // umoci 0.4.7 refuses tar+zstd layers: have skopeo (which decodes our zstd) recompress them as gzip first.
        execFileSync('skopeo', [
          'copy',
          '--quiet',
          '--dest-compress-format',
          'gzip',
          `oci:${layout}:v1`,
          `oci:${tmp}/regz:v1`,
        ]);
        image = `${tmp}/regz:v1`;
      }
      execFileSync('umoci', ['unpack', '--image', image, bundle], { stdio: 'pipe' });
      assertRootfs(join(bundle, 'rootfs'), { xattrs: have('getfattr') });
    });

    test('readOciImage + applyLayer rebuild the same rootfs from the archive', async () => {
      const image = await readOciImage(archive, 'v1');
      try {
        assert.deepEqual(
          image.config.history.map((h) => h.created_by),
          ['ingot base test-base', 'ingot component app/1.0.0'],
        );
        assert.deepEqual(image.config.config.Entrypoint, ['/srv/app/run.sh']);
        assert.equal(image.manifest.annotations?.['org.opencontainers.image.version'], '1.0.0');
        const rootfs = join(tmp, 'applied');
        mkdirSync(rootfs);
        let skipped = 0;
        for (const layer of image.layers) skipped += (await applyLayer(layer.path, rootfs)).xattrsSkipped;
        assertRootfs(rootfs, { xattrs: skipped === 0 && have('getfattr') });
      } finally {
        await image.close();
      }
      assert.ok(!existsSync(image.layoutDir), 'temp layout removed on close');
    });

    test('an image built on a parent read from a layout keeps its layers, history and config', async () => {
      const parent = await readOciImage(layout);
      const extra = join(tmp, 'extra');
      mkdirSync(extra);
      writeFileSync(join(extra, 'added.txt'), 'child\n');
      const layer = await writeLayer({
        sourceDir: extra,
        kind: 'overlay-upper',
        compression,
        outFile: join(tmp, 'extra.layer'),
      });
      const config = buildImageConfig({
        parent: parent.config,
        layers: [{ diffId: layer.diffId, createdBy: 'ingot component child/1.0.0' }],
        runtime: { Cmd: ['-g', 'x'] },
      });
      const child = join(tmp, 'child');
      await writeOciLayout({
        dir: child,
        tag: 'child',
        config,
        layers: [...parentLayerBlobs(parent), { descriptor: layer, file: join(tmp, 'extra.layer') }],
      });
      const inspected = skopeoInspect(`oci:${child}:child`);
      assert.deepEqual(inspected.Layers, [...parent.manifest.layers.map((l) => l.digest), layer.digest]);
      const reread = await readOciImage(child, 'child');
      assert.deepEqual(reread.config.config.Entrypoint, ['/srv/app/run.sh']);
      assert.deepEqual(reread.config.config.Cmd, ['-g', 'x']);
      assert.equal(reread.config.history.length, 3);
    });
  });
}
