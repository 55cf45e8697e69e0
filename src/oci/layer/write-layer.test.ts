/** @module Tests for writeLayer: overlay whiteouts from a real overlayfs, entry kinds, determinism, parallelism. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import {
  canMountOverlay,
  FILE_CAP_NET_RAW,
  have,
  makeBaseTree,
  makeOverlayUpper,
} from '../../../test/fixtures/oci/trees.ts';
import { readTar } from '../tar/tar-reader.ts';
import type { TarHeader } from '../tar/tar-header.ts';
import { openDecompressed } from './compression.ts';
import { writeLayer } from './write-layer.ts';
import { sha256File } from '../digest.ts';

async function listLayer(file: string): Promise<Map<string, TarHeader>> {
  const out = new Map<string, TarHeader>();
  for await (const { header } of readTar(await openDecompressed(file))) out.set(header.path, header);
  return out;
}

describe('writeLayer', { skip: canMountOverlay() ? false : 'needs root and overlayfs mounts' }, () => {
  let tmp = '';
  let base = '';
  let upper = '';
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'ingot-layer-'));
    base = join(tmp, 'base');
    mkdirSync(base);
    makeBaseTree(base);
    upper = makeOverlayUpper(tmp, base);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('turns overlay whiteouts and opaque dirs into OCI whiteouts, keeping every entry kind', async () => {
    const desc = await writeLayer({
      sourceDir: upper,
      kind: 'overlay-upper',
      compression: 'gzip',
      outFile: join(tmp, 'upper.tgz'),
    });
    assert.equal(desc.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
    const file = await sha256File(join(tmp, 'upper.tgz'));
    assert.equal(desc.digest, file.digest);
    assert.equal(desc.size, file.size);
    const entries = await listLayer(join(tmp, 'upper.tgz'));
    assert.equal(entries.get('etc/.wh.remove-me.conf')?.type, 'file');
    assert.equal(entries.get('opt/old/.wh..wh..opq')?.type, 'file');
    assert.equal(entries.get('opt/old/new.txt')?.type, 'file');
    assert.ok(!entries.has('opt/old/a.txt'));
    // Sorted by name, run-link.sh comes first and carries the data; run.sh is the hard link to it.
    const data = entries.get('srv/app/run-link.sh')!;
    assert.deepEqual(
      [data.type, data.uid, data.gid, data.mode, data.mtime],
      ['file', 1000, 1001, 0o750, 1_700_000_000],
    );
    assert.deepEqual(
      [entries.get('srv/app/run.sh')?.type, entries.get('srv/app/run.sh')?.linkpath],
      ['hardlink', 'srv/app/run-link.sh'],
    );
    assert.equal(entries.get('usr/bin/run')?.linkpath, '../srv/app/run.sh');
    assert.equal(entries.get('srv/app/fifo')?.type, 'fifo');
    const dev = entries.get('srv/app/null')!;
    assert.deepEqual([dev.type, dev.devmajor, dev.devminor], ['char', 1, 3]);
    for (const h of entries.values()) {
      assert.ok(![...h.xattrs.keys()].some((k) => k.startsWith('trusted.overlay.')), `${h.path} leaks overlay xattrs`);
    }
    if (have('setfattr')) {
      const tagged = entries.get('srv/app/tagged')!;
      assert.deepEqual(tagged.xattrs.get('user.ingot.test'), Buffer.from([0x00, 0xff, 0x41]));
      assert.deepEqual(tagged.xattrs.get('security.capability'), Buffer.from(FILE_CAP_NET_RAW.slice(2), 'hex'));
    }
  });

  for (const compression of ['gzip', 'zstd', 'none'] as const) {
    test(`is deterministic (${compression})`, async () => {
      const a = await writeLayer({
        sourceDir: upper,
        kind: 'overlay-upper',
        compression,
        outFile: join(tmp, `a.${compression}`),
        sourceDateEpoch: 1_600_000_000,
      });
      const b = await writeLayer({
        sourceDir: upper,
        kind: 'overlay-upper',
        compression,
        outFile: join(tmp, `b.${compression}`),
        sourceDateEpoch: 1_600_000_000,
      });
      assert.deepEqual(a, b);
      if (compression === 'none') assert.equal(a.digest, a.diffId);
      const entries = await listLayer(join(tmp, `a.${compression}`));
      assert.ok([...entries.values()].every((h) => h.mtime <= 1_600_000_000));
    });
  }

  test('an empty upper dir gives the well-known empty layer', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const layer = await writeLayer({
      sourceDir: empty,
      kind: 'overlay-upper',
      compression: 'none',
      outFile: join(tmp, 'empty.tar'),
    });
    // sha256 of 1024 zero bytes: the end-of-archive marker alone, the diff_id Docker uses for empty layers.
    assert.equal(layer.diffId, 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef');
  });

  test('fails clearly when the source dir is missing', async () => {
    await assert.rejects(
      writeLayer({
        sourceDir: join(tmp, 'nope'),
        kind: 'full-rootfs',
        compression: 'gzip',
        outFile: join(tmp, 'nope.tgz'),
      }),
      /tar of .*nope failed/,
    );
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.startsWith('nope')),
      [],
    );
  });

  test('compresses two layers concurrently', async (t) => {
    const big = join(tmp, 'big');
    mkdirSync(big);
    // Half random, half repetitive: real compression work for zlib's threadpool.
    for (let i = 0; i < 8; i++)
      writeFileSync(join(big, `f${i}`), Buffer.concat([randomBytes(1 << 20), Buffer.alloc(1 << 20, i)]));
    const out = join(tmp, 'parallel');
    mkdirSync(out);
    const started = performance.now();
    await writeLayer({ sourceDir: big, kind: 'full-rootfs', compression: 'gzip', outFile: join(out, 'solo.tgz') });
    const solo = performance.now() - started;
    // Structural proof of overlap: at some instant both layers' temp blobs exist and are non-empty.
    let overlapped = false;
    const poll = setInterval(() => {
      const growing = readdirSync(out).filter(
        (f) => f.includes('.tmp-') && statSync(join(out, f), { throwIfNoEntry: false })?.size,
      );
      if (growing.length === 2) overlapped = true;
    }, 5);
    const t0 = performance.now();
    const [x, y] = await Promise.all(
      ['x', 'y'].map((n) =>
        writeLayer({ sourceDir: big, kind: 'full-rootfs', compression: 'gzip', outFile: join(out, `${n}.tgz`) }),
      ),
    );
    const both = performance.now() - t0;
    clearInterval(poll);
    assert.deepEqual(x, y);
    assert.ok(overlapped, 'both layers were being written at the same time');
    t.diagnostic(
      `one 16 MiB layer: ${solo.toFixed(0)} ms; two concurrently: ${both.toFixed(0)} ms (serial would be ~${(2 * solo).toFixed(0)} ms)`,
    );
  });
});
