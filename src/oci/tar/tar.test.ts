/** @module Tar codec tests: round trips of awkward headers, and agreement with GNU tar in both directions. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { TarHeader } from './tar-header.ts';
import { readTar, type TarEntry } from './tar-reader.ts';
import { rechunk, writeTar } from './tar-writer.ts';

const LONG = `${'deep/'.repeat(30)}file-with-a-long-name.txt`;

function header(path: string, extra: Partial<TarHeader> = {}): TarHeader {
  return {
    path,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: 1_700_000_000,
    linkpath: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
    ...extra,
  };
}

const ENTRIES: Array<{ header: TarHeader; content?: string }> = [
  { header: header('dir', { type: 'directory', mode: 0o1777 }) },
  { header: header(LONG, { size: 5, uid: 3_000_000, gid: 70_000 }), content: 'long\n' },
  {
    header: header('ünïcødé/名前.txt', {
      size: 2,
      xattrs: new Map([
        ['user.bin', Buffer.from([0, 255, 10, 61])],
        ['trusted.ingot', Buffer.from('v=x\n')],
      ]),
    }),
    content: 'u\n',
  },
  { header: header('link-to-long', { type: 'hardlink', linkpath: LONG }) },
  { header: header('sym', { type: 'symlink', linkpath: `../${'x'.repeat(150)}` }) },
  { header: header('dev/null', { type: 'char', devmajor: 1, devminor: 3 }) },
  { header: header('setuid', { mode: 0o4755, size: 0 }) },
];

function entries(): TarEntry[] {
  return ENTRIES.map(({ header: h, content }) => ({
    header: h,
    body: Readable.from(content ? [Buffer.from(content)] : []),
  }));
}

async function bytes(): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of rechunk(writeTar(entries()), 1000)) parts.push(chunk);
  return Buffer.concat(parts);
}

test('headers round-trip exactly through writeTar → readTar', async () => {
  const tar = await bytes();
  assert.equal(tar.length % 512, 0);
  const back: TarHeader[] = [];
  const bodies: string[] = [];
  for await (const { header: h, body } of readTar(Readable.from([tar.subarray(0, 700), tar.subarray(700)]))) {
    back.push(h);
    let text = '';
    for await (const chunk of body) text += chunk.toString();
    bodies.push(text);
  }
  assert.deepEqual(
    back,
    ENTRIES.map((e) => e.header),
  );
  assert.deepEqual(
    bodies,
    ENTRIES.map((e) => e.content ?? ''),
  );
});

test('GNU tar reads what we write, and we read what GNU tar writes', {
  skip: process.getuid?.() === 0 ? false : 'needs root to extract owners, devices and trusted xattrs',
}, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ingot-tar-'));
  try {
    writeFileSync(join(tmp, 'ours.tar'), await bytes());
    const listing = execFileSync(
      'tar',
      ['--list', '--numeric-owner', '-v', '--xattrs', '--xattrs-include=*', '-f', join(tmp, 'ours.tar')],
      { encoding: 'utf8' },
    );
    assert.match(listing, new RegExp(`3000000/70000 +5 .* ${LONG}`));
    assert.match(listing, /ünïcødé\/名前\.txt/);
    assert.match(listing, /link-to-long link to deep\//);
    // Round trip through the file system: GNU tar extracts ours, archives it again, we read that.
    const tree = join(tmp, 'tree');
    mkdirSync(tree);
    execFileSync('tar', [
      '--extract',
      '--xattrs',
      '--xattrs-include=*',
      '--numeric-owner',
      '-f',
      join(tmp, 'ours.tar'),
      '-C',
      tree,
    ]);
    execFileSync('tar', [
      '--create',
      '--format=pax',
      '--sort=name',
      '--numeric-owner',
      '--xattrs',
      '--xattrs-include=*',
      '-f',
      join(tmp, 'gnu.tar'),
      '-C',
      tree,
      '.',
    ]);
    // Links carry no metadata of their own worth comparing (symlink modes are 0777 on Linux; hard links share an inode).
    const describe = (h: TarHeader): string =>
      h.type === 'hardlink' || h.type === 'symlink'
        ? `${h.type}:${h.path}:${h.linkpath}`
        : `${h.type}:${h.path}:${h.mode.toString(8)}:${h.uid}:${h.gid}:${h.devmajor}:${[...h.xattrs]
            .map(([k, v]) => `${k}=${v.toString('hex')}`)
            .sort()
            .join(',')}`;
    const wanted = new Set(ENTRIES.map((e) => e.header.path));
    const fromGnu: string[] = [];
    for await (const { header: h } of readTar(Readable.from([readFileSync(join(tmp, 'gnu.tar'))])))
      if (wanted.has(h.path)) fromGnu.push(describe(h));
    assert.deepEqual(fromGnu.sort(), ENTRIES.map((e) => describe(e.header)).sort());
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('rejects garbage and truncated archives', async () => {
  await assert.rejects(async () => {
    for await (const _e of readTar(Readable.from([Buffer.alloc(512, 7)]))) {
      /* */
    }
  }, /checksum/);
  const tar = await bytes();
  await assert.rejects(async () => {
    for await (const { body } of readTar(Readable.from([tar.subarray(0, 1800)])))
      for await (const _c of body) {
        /* */
      }
  }, /unexpected end/);
});

test('rechunk gives the same boundaries however the input was split (zstd output depends on them)', async () => {
  const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
  const split = (sizes: number[]): Buffer[] => {
    const out: Buffer[] = [];
    let off = 0;
    for (let i = 0; off < data.length; i++) {
      const n = sizes[i % sizes.length]!;
      out.push(data.subarray(off, off + n));
      off += n;
    }
    return out;
  };
  const lengths = async (chunks: Buffer[]): Promise<number[]> => {
    const out: number[] = [];
    for await (const c of rechunk(Readable.from(chunks), 65536)) out.push(c.length);
    return out;
  };
  const expected = [65536, 65536, 65536, 65536, 300_000 - 4 * 65536];
  assert.deepEqual(await lengths(split([100_000])), expected);
  assert.deepEqual(await lengths(split([512, 70_000, 3])), expected);
  const joined: Buffer[] = [];
  for await (const c of rechunk(Readable.from(split([777, 5])), 65536)) joined.push(c);
  assert.deepEqual(Buffer.concat(joined), data);
});
