/**
 * @module The bootable-disk layer kept beside a managed base (src/bases/boot-layers.ts), on the
 * real shared debian-12 base in real sandboxes: prepared from one INGOT_HOME, a second home sharing
 * the bases home takes it without building it (told by the build's component events), and a
 * changed layer definition is built anew beside the first. A small stand-in component keeps the
 * test fast; the real boot component goes the same way (boot-layer-beside-base.slow.ts).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { componentFromText } from '../../src/engine/component-from-text.ts';
import type { BuildEvent } from '../../src/engine/events.ts';
import { prepareBootLayer } from '../../src/engine/disk/prepare-boot-layer.ts';
import { bootstrapUnavailable, sharedTestBase } from '../helpers/test-base.ts';

const skip = bootstrapUnavailable() ?? false;
const dir = mkdtempSync(join(tmpdir(), 'ingot-boot-beside-base-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const standIn = (text: string) =>
  componentFromText({
    name: 'ingot-bootable-disk',
    version: '1.0.0',
    origin: 'ingot-bootable-disk',
    text: `name: ingot-bootable-disk
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: MakeBootable
        action: ExecuteBash
        inputs:
          commands:
            - mkdir -p /etc/ingot-test && echo '${text}' > /etc/ingot-test/boot-layer
`,
  });

/** A bases home of its own whose debian-12 is the shared test base (its rootfs linked, not copied). */
async function basesHomeOverSharedBase(): Promise<string> {
  const base = await sharedTestBase();
  const versionDir = dirname(base.rootfsDir);
  const home = join(dir, 'bases');
  const mine = join(home, 'bases', 'debian-12', basename(versionDir));
  mkdirSync(mine, { recursive: true });
  symlinkSync(base.rootfsDir, join(mine, 'rootfs'));
  cpSync(join(versionDir, 'metadata.json'), join(mine, 'metadata.json'));
  symlinkSync(basename(versionDir), join(home, 'bases', 'debian-12', 'current'));
  return home;
}

async function prepare(home: string, basesHome: string, text: string) {
  const events: BuildEvent[] = [];
  mkdirSync(home, { recursive: true });
  const built = await prepareBootLayer({
    home,
    basesHome,
    base: 'debian-12',
    component: standIn(text),
    onEvent: (e) => events.push(e),
  });
  const boot = events.filter((e) => e.type === 'component' && e.name === 'ingot-bootable-disk');
  return { built, statuses: boot.map((e) => (e.type === 'component' ? e.status : '')) };
}

test('a second INGOT_HOME sharing the bases home takes the boot layer from beside the base; a changed definition is built anew', {
  skip,
  timeout: 20 * 60_000,
}, async () => {
  const basesHome = await basesHomeOverSharedBase();
  const layers = join(basesHome, 'bases', 'debian-12', readdirSync(join(basesHome, 'bases', 'debian-12'))[0]!);
  const first = await prepare(join(dir, 'home-1'), basesHome, 'one');
  assert.equal(first.built, true);
  assert.deepEqual(first.statuses, ['start', 'success'], 'the first home builds the layer');
  const stored = readdirSync(join(layers, 'boot-layers')).filter((n) => !n.startsWith('.'));
  assert.equal(stored.length, 1, 'one layer beside the base');
  const diff = join(layers, 'boot-layers', stored[0]!, 'diff');
  assert.equal(readFileSync(join(diff, 'etc/ingot-test/boot-layer'), 'utf8'), 'one\n');
  // Only ever read as a directory: its blob is an uncompressed tar (no 5-6 s of gzip on a first disk build).
  const meta = JSON.parse(readFileSync(join(layers, 'boot-layers', stored[0]!, 'layer.json'), 'utf8'));
  assert.equal(meta.layer.mediaType, 'application/vnd.oci.image.layer.v1.tar');
  assert.equal(
    meta.layer.digest,
    `sha256:${createHash('sha256')
      .update(readFileSync(join(layers, 'boot-layers', stored[0]!, 'layer.blob')))
      .digest('hex')}`,
  );

  const second = await prepare(join(dir, 'home-2'), basesHome, 'one');
  assert.equal(second.built, false);
  assert.deepEqual(second.statuses, ['cached'], 'the second home does not build it');
  assert.ok(
    !existsSync(join(dir, 'home-2', 'cache', 'layers')) ||
      readdirSync(join(dir, 'home-2', 'cache', 'layers')).length === 0,
    'nothing in the home cache',
  );

  const changed = await prepare(join(dir, 'home-2'), basesHome, 'two');
  assert.equal(changed.built, true);
  assert.deepEqual(changed.statuses, ['start', 'success'], 'a changed definition is built');
  const after = readdirSync(join(layers, 'boot-layers')).filter((n) => !n.startsWith('.'));
  assert.equal(after.length, 2, 'beside the first one');
  const newKey = after.find((k) => k !== stored[0])!;
  assert.equal(readFileSync(join(layers, 'boot-layers', newKey, 'diff/etc/ingot-test/boot-layer'), 'utf8'), 'two\n');
});
