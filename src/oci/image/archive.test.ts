/** @module Tests for writeOciArchive: shared blobs, an archive finished later, the bytes GNU tar writes. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { link, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startOciArchive, writeOciArchive } from './archive.ts';

/** Writes `text` as a blob of the layout; its archive name (`./blobs/sha256/HEX`). */
function addBlob(layout: string, text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', hex), text);
  return `./blobs/sha256/${hex}`;
}

/** GNU tar's archive of `names` in `layout`, in that order, as Ingot's archive writes them. */
function gnuTar(file: string, layout: string, names: string[]): void {
  execFileSync('tar', [
    '--create',
    `--file=${file}`,
    '--format=pax',
    '--numeric-owner',
    '--owner=0',
    '--group=0',
    '--mtime=@0',
    '--pax-option=delete=atime,delete=ctime',
    '--no-recursion',
    '-C',
    layout,
    ...names,
  ]);
}

test('a shared blob whose ctime changes while it is read is archived (hard links come and go)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-archive-'));
  try {
    const layout = join(dir, 'oci');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    const bytes = randomBytes(48 << 20);
    const hex = createHash('sha256').update(bytes).digest('hex');
    const blob = join(layout, 'blobs', 'sha256', hex);
    writeFileSync(blob, bytes);
    writeFileSync(join(layout, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    let done = false;
    const churn = (async () => {
      for (let i = 0; !done; i++) {
        const other = join(dir, `other-${i}`);
        await link(blob, other);
        await unlink(other);
      }
    })();
    const archive = join(dir, 'image.oci.tar');
    const written = await writeOciArchive(layout, archive).finally(() => {
      done = true;
    });
    await churn;
    assert.equal(written.sha256, createHash('sha256').update(readFileSync(archive)).digest('hex'));
    const out = execFileSync('tar', ['-xOf', archive, `./blobs/sha256/${hex}`], { maxBuffer: 64 << 20 });
    assert.equal(createHash('sha256').update(out).digest('hex'), hex);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an archive started early and finished later is one tar with the entries added meanwhile and the new index.json', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-archive-'));
  try {
    const layout = join(dir, 'oci');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    const blob = (text: string) => addBlob(layout, text);
    const layer = blob('layer bytes '.repeat(10_000));
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(layout, 'index.json'), '{"manifests":["image"]}');
    const archive = join(dir, 'image.oci.tar');
    const writer = await startOciArchive(layout, archive);
    const sbom = blob('an SBOM referrer');
    writeFileSync(join(layout, 'index.json'), '{"manifests":["image","sbom"]}');
    const written = await writer.finish();
    assert.equal(written.sha256, createHash('sha256').update(readFileSync(archive)).digest('hex'));
    const names = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(names, ['./', './blobs/', './blobs/sha256/', layer, './oci-layout', sbom, './index.json']);
    assert.equal(
      execFileSync('tar', ['-xOf', archive, './index.json'], { encoding: 'utf8' }),
      '{"manifests":["image","sbom"]}',
    );
    assert.equal(execFileSync('tar', ['-xOf', archive, sbom], { encoding: 'utf8' }), 'an SBOM referrer');
    // The same layout archived again gives the same bytes.
    const a = await writeOciArchive(layout, join(dir, 'a.tar'));
    const b = await writeOciArchive(layout, join(dir, 'b.tar'));
    assert.equal(a.sha256, b.sha256);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an archive started with the base blob alone goes on with the layout (addPresent): the same bytes as one started with the whole layout in that order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-archive-'));
  try {
    const layout = join(dir, 'oci');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    const blob = (text: string) => addBlob(layout, text);
    const base = blob('base layer '.repeat(100_000));
    const writer = await startOciArchive(layout, join(dir, 'early.tar'));
    // The rest of the layout, written while the base is copied.
    const rest = [blob('a component layer'), blob('the config'), blob('the manifest')].sort();
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(layout, 'index.json'), '{"manifests":["image"]}');
    await writer.addPresent();
    const sbom = blob('an SBOM referrer');
    writeFileSync(join(layout, 'index.json'), '{"manifests":["image","sbom"]}');
    const early = await writer.finish();
    const names = execFileSync('tar', ['-tf', join(dir, 'early.tar')], { encoding: 'utf8' })
      .trim()
      .split('\n');
    assert.deepEqual(names, ['./', './blobs/', './blobs/sha256/', base, ...rest, './oci-layout', sbom, './index.json']);
    assert.equal(
      early.sha256,
      createHash('sha256')
        .update(readFileSync(join(dir, 'early.tar')))
        .digest('hex'),
    );
    // GNU tar of the same names in that order: the same bytes.
    const gnu = join(dir, 'gnu.tar');
    gnuTar(gnu, layout, names);
    assert.ok(readFileSync(join(dir, 'early.tar')).equals(readFileSync(gnu)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the archive has the bytes GNU tar writes for the same names (pax, numeric root owner, mtime 0)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-archive-'));
  try {
    const layout = join(dir, 'oci');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    for (const size of [0, 1, 511, 512, 513, 5 << 20]) {
      const bytes = randomBytes(size);
      writeFileSync(join(layout, 'blobs', 'sha256', createHash('sha256').update(bytes).digest('hex')), bytes);
    }
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(layout, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    const archive = join(dir, 'image.oci.tar');
    const written = await writeOciArchive(layout, archive);
    const names = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n');
    const gnu = join(dir, 'gnu.tar');
    gnuTar(gnu, layout, names);
    const ours = readFileSync(archive);
    assert.ok(ours.equals(readFileSync(gnu)), 'the same bytes as GNU tar');
    assert.equal(written.size, ours.length);
    assert.equal(written.sha256, createHash('sha256').update(ours).digest('hex'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cancelled archive leaves no file behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-archive-'));
  try {
    const layout = join(dir, 'oci');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    const bytes = randomBytes(16 << 20);
    writeFileSync(join(layout, 'blobs', 'sha256', createHash('sha256').update(bytes).digest('hex')), bytes);
    const writer = await startOciArchive(layout, join(dir, 'image.oci.tar'));
    await writer.cancel();
    assert.deepEqual(readdirSync(dir), ['oci']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
