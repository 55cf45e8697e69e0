/** @module Tests for applyLayer on hand-made layers: escapes refused, symlinks resolved inside the root, whiteouts. */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { have } from '../../../test/fixtures/oci/trees.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import type { TarHeader } from '../tar/tar-header.ts';
import type { TarEntry } from '../tar/tar-reader.ts';
import { writeTar } from '../tar/tar-writer.ts';
import { applyLayer } from './apply.ts';
import { compressor } from './compression.ts';
import { writeLayer } from './write-layer.ts';

function entry(path: string, extra: Partial<TarHeader> & { content?: string } = {}): TarEntry {
  const content = Buffer.from(extra.content ?? '');
  const header: TarHeader = {
    path,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: content.length,
    mtime: 1_700_000_000,
    linkpath: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
    ...extra,
  };
  delete (header as { content?: string }).content;
  return {
    header,
    body: (async function* () {
      if (content.length) yield content;
    })(),
  };
}

async function layer(
  file: string,
  entries: TarEntry[],
  compression: 'gzip' | 'zstd' | 'none' = 'gzip',
): Promise<string> {
  await pipeline(Readable.from(writeTar(entries)), compressor(compression), createWriteStream(file));
  return file;
}

describe('applyLayer', () => {
  let tmp = '';
  let root = '';
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'ingot-apply-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('refuses absolute paths and .. components', async () => {
    root = join(tmp, 'r1');
    mkdirSync(root);
    for (const bad of ['/etc/passwd', 'a/../../escape', '../escape']) {
      const file = await layer(join(tmp, 'bad.tar'), [entry(bad, { content: 'x' })], 'none');
      await assert.rejects(
        applyLayer(file, root),
        (err: unknown) => err instanceof IngotError && err.message.includes(bad),
      );
    }
    assert.ok(!existsSync(join(tmp, 'escape')));
  });

  test('writes through symlinks as if chrooted, never outside the root', async () => {
    root = join(tmp, 'r2');
    mkdirSync(root);
    const outside = join(tmp, 'outside');
    mkdirSync(outside);
    const file = await layer(
      join(tmp, 'sym.tar.zst'),
      [
        entry('evil', { type: 'symlink', linkpath: outside }),
        entry('evil/pwned', { content: 'gotcha' }),
        entry('up', { type: 'symlink', linkpath: '../../..' }),
        entry('up/etc/x', { content: 'clamped' }),
        entry('hl', { type: 'hardlink', linkpath: 'up/etc/x' }),
      ],
      'zstd',
    );
    await applyLayer(file, root);
    assert.deepEqual(readdirSync(outside), []);
    assert.equal(readFileSync(join(root, tmp, 'outside/pwned'), 'utf8'), 'gotcha');
    assert.equal(readFileSync(join(root, 'etc/x'), 'utf8'), 'clamped');
    assert.equal(readFileSync(join(root, 'hl'), 'utf8'), 'clamped');
  });

  test('whiteouts remove lower content but not what the same layer adds', async () => {
    root = join(tmp, 'r3');
    mkdirSync(join(root, 'd/sub'), { recursive: true });
    writeFileSync(join(root, 'd/old'), 'old');
    writeFileSync(join(root, 'gone'), 'x');
    symlinkSync('d', join(root, 'link'));
    const file = await layer(join(tmp, 'wh.tgz'), [
      entry('.wh.gone'),
      entry('d', { type: 'directory', mode: 0o755 }),
      entry('d/new', { content: 'new' }),
      entry('d/.wh..wh..opq'),
      entry('.wh.link'),
    ]);
    const result = await applyLayer(file, root);
    assert.deepEqual(result, { entries: 2, whiteouts: 3, xattrsSkipped: 0 });
    assert.deepEqual(readdirSync(join(root, 'd')), ['new']);
    assert.ok(!existsSync(join(root, 'gone')));
    assert.deepEqual(readdirSync(root).sort(), ['d']);
  });

  test('a whiteout of . or .. is refused (it would remove the directory or its parent)', async () => {
    for (const [i, path] of ['.wh...', 'd/.wh..', 'd/.wh...'].entries()) {
      root = join(tmp, `wh-dots-${i}`, 'root');
      mkdirSync(join(root, 'd'), { recursive: true });
      writeFileSync(join(tmp, `wh-dots-${i}`, 'beside'), 'kept');
      const file = await layer(join(tmp, `wh-dots-${i}.tgz`), [entry(path)]);
      await assert.rejects(
        applyLayer(file, root),
        (e: unknown) => e instanceof IngotError && /whiteout of '\.' or '\.\.'/.test(e.message),
      );
      assert.equal(readFileSync(join(tmp, `wh-dots-${i}`, 'beside'), 'utf8'), 'kept');
      assert.ok(existsSync(join(root, 'd')));
    }
  });

  test('asOverlayUpper turns the layer back into the overlay upper dir it was written from (same layer again)', async (t) => {
    if (process.getuid?.() !== 0 || !have('setfattr'))
      return t.skip('needs root and setfattr (whiteout devices, trusted.* xattrs)');
    const upper = join(tmp, 'upper');
    mkdirSync(join(upper, 'opaque'), { recursive: true });
    writeFileSync(join(upper, 'opaque/kept'), 'kept');
    writeFileSync(join(upper, 'file'), 'data');
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'opaque')]);
    execFileSync('mknod', [join(upper, 'removed'), 'c', '0', '0']);
    utimesSync(join(upper, 'removed'), 1_600_000_000, 1_600_000_000); // not now: the copy must keep it
    const first = await writeLayer({
      sourceDir: upper,
      kind: 'overlay-upper',
      compression: 'gzip',
      outFile: join(tmp, 'up1'),
    });
    const back = join(tmp, 'upper-back');
    mkdirSync(back);
    const r = await applyLayer(join(tmp, 'up1'), back, { asOverlayUpper: true });
    assert.equal(r.whiteouts, 2);
    assert.ok(statSync(join(back, 'removed')).isCharacterDevice(), 'a whiteout device again');
    assert.match(
      execFileSync(
        'getfattr',
        ['--absolute-names', '-n', 'trusted.overlay.opaque', '--only-values', join(back, 'opaque')],
        {
          encoding: 'utf8',
        },
      ),
      /^y/,
    );
    const again = await writeLayer({
      sourceDir: back,
      kind: 'overlay-upper',
      compression: 'gzip',
      outFile: join(tmp, 'up2'),
    });
    assert.equal(again.digest, first.digest);
  });

  for (const [flag, name] of [
    ['--gzip', 'tgz'],
    ['--xz', 'txz'],
    ['--bzip2', 'tbz2'],
    ['--zstd', 'tzst'],
    ['', 'tar'],
  ] as const) {
    test(`unpacks a rootfs tarball made by GNU tar (${name}, with its ./ root entry)`, (t) => {
      if (name !== 'tar' && !have(flag.slice(2))) return t.skip(`${flag.slice(2)} is not installed`);
      const src = join(tmp, `src-${name}`);
      mkdirSync(join(src, 'etc'), { recursive: true });
      writeFileSync(join(src, 'etc/hostname'), 'box\n');
      symlinkSync('etc/hostname', join(src, 'hn'));
      const file = join(tmp, `rootfs.${name}`);
      execFileSync('tar', ['--create', ...(flag ? [flag] : []), '-f', file, '-C', src, '.']);
      const dest = join(tmp, `dest-${name}`);
      mkdirSync(dest);
      return applyLayer(file, dest).then((r) => {
        assert.equal(r.entries, 3);
        assert.equal(readFileSync(join(dest, 'hn'), 'utf8'), 'box\n');
      });
    });
  }

  test('replaces a file with a directory and a directory with a file', async () => {
    root = join(tmp, 'r4');
    mkdirSync(join(root, 'was-dir/x'), { recursive: true });
    writeFileSync(join(root, 'was-file'), 'f');
    const file = await layer(join(tmp, 'swap.tgz'), [
      entry('was-dir', { content: 'now a file' }),
      entry('was-file', { type: 'directory', mode: 0o700 }),
    ]);
    await applyLayer(file, root);
    assert.equal(readFileSync(join(root, 'was-dir'), 'utf8'), 'now a file');
    assert.deepEqual(readdirSync(join(root, 'was-file')), []);
  });
});
