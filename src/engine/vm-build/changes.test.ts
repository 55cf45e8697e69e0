import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, rmdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ancestorsOf, changesBetween, listingCommand, parseListing } from './changes.ts';

const entry = (path: string, id: string) => `${id}\t${path}\0`;

test('changesBetween: new, changed (inode, ctime or type) and removed entries; a removed subtree is one removal', () => {
  const before = parseListing(
    entry('etc', '1 10.0 d') +
      entry('etc/motd', '2 10.0 f') +
      entry('etc/issue', '3 10.0 f') +
      entry('opt', '4 10.0 d') +
      entry('opt/a', '5 10.0 d') +
      entry('opt/a/b', '6 10.0 f') +
      entry('opt/a-b', '7 10.0 f'),
  );
  const after = parseListing(
    entry('etc', '1 12.5 d') +
      entry('etc/issue', '3 12.5 f') +
      entry('etc/new', '9 12.5 f') +
      entry('opt', '4 12.5 d') +
      entry('opt/a-b', '7 10.0 f') +
      entry('etc/ssh/ssh_host_rsa_key', '10 12.6 f'),
  );
  const { changed, removed } = changesBetween(before, after);
  assert.deepEqual(
    changed,
    ['etc', 'etc/issue', 'etc/new', 'opt'],
    'SSH host keys the VM made at boot are not captured',
  );
  assert.deepEqual(removed, ['etc/motd', 'opt/a']);
  assert.deepEqual(ancestorsOf(['etc/ssh/sshd_config', 'usr/lib/x/y']), [
    'etc',
    'etc/ssh',
    'usr',
    'usr/lib',
    'usr/lib/x',
  ]);
});

test('parseListing keeps paths with spaces and tabs whole', () => {
  const listing = parseListing(entry('a dir/with\ttab', '1 1.0 f'));
  assert.deepEqual([...listing], [['a dir/with\ttab', '1 1.0 f']]);
});

test('the listing command, run by find on a real tree, sees writes, chmods, renames and removals', () => {
  const root = mkdtempSync(join(tmpdir(), 'ingot-changes-'));
  try {
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'gone/deep'), { recursive: true });
    for (const f of ['etc/a', 'etc/b', 'etc/c', 'etc/d', 'gone/deep/x']) writeFileSync(join(root, f), 'same');
    // Run find with the same arguments, rooted at the temp tree instead of /.
    const list = () =>
      parseListing(
        execFileSync(
          listingCommand()[0]!,
          listingCommand()
            .slice(1)
            .map((a) => (a === '/' ? root : a)),
          { encoding: 'utf8' },
        ),
      );
    const before = list();
    execFileSync('sleep', ['0.05']);
    writeFileSync(join(root, 'etc/a'), 'same'); // same size, same content: still a write
    chmodSync(join(root, 'etc/b'), 0o600);
    renameSync(join(root, 'etc/c'), join(root, 'etc/c2'));
    rmSync(join(root, 'etc/d'));
    rmSync(join(root, 'gone/deep/x'));
    rmdirSync(join(root, 'gone/deep'));
    rmdirSync(join(root, 'gone'));
    const { changed, removed } = changesBetween(before, list());
    assert.deepEqual(changed, ['etc', 'etc/a', 'etc/b', 'etc/c2']);
    assert.deepEqual(removed, ['etc/c', 'etc/d', 'gone']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
