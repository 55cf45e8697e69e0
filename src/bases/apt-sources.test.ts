/** @module Tests apt source parsing on sample files in both formats, and on this host. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAptMirror, readAptSecurityMirror, readAptSources } from './apt-sources.ts';

function aptDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-apt-'));
  mkdirSync(join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('deb822 sources: the archive mirror, security apart, disabled and third-party stanzas skipped', (t) => {
  const dir = aptDir({
    'sources.list.d/nodesource.sources':
      'Types: deb\nURIs: https://deb.example.org/node_20.x\nSuites: nodistro\nComponents: main\n',
    'sources.list.d/debian.sources': [
      'Types: deb deb-src',
      'URIs: http://mirror.example.net/debian/',
      'Suites: bookworm bookworm-updates',
      'Components: main contrib',
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
      '',
      'Types: deb',
      'URIs: http://mirror.example.net/debian-security',
      'Suites: bookworm-security',
      'Components: main',
      '',
      'Enabled: no',
      'Types: deb',
      'URIs: http://old.example.net/debian',
      'Suites: bookworm',
      'Components: main',
      '',
    ].join('\n'),
    'sources.list.d/other.list.disabled': 'deb http://nope.example.net/debian bookworm main\n',
  });
  t.after(() => rmSync(dir, { recursive: true }));
  assert.deepEqual(readAptMirror(dir), { uri: 'http://mirror.example.net/debian', components: ['main', 'contrib'] });
  assert.equal(readAptSecurityMirror(dir), 'http://mirror.example.net/debian-security');
  assert.equal(readAptSources(dir).length, 3);
});

test('one-line sources.list with options and comments', (t) => {
  const dir = aptDir({
    'sources.list': [
      '# deb http://commented.example.net/debian bookworm main',
      'deb-src http://src.example.net/debian bookworm main',
      'deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] https://mirror.example.net/debian trixie main non-free-firmware # trailing',
      'deb http://security.example.net/debian-security trixie-security main',
    ].join('\n'),
  });
  t.after(() => rmSync(dir, { recursive: true }));
  assert.deepEqual(readAptMirror(dir), {
    uri: 'https://mirror.example.net/debian',
    components: ['main', 'non-free-firmware'],
  });
  assert.equal(readAptSecurityMirror(dir), 'http://security.example.net/debian-security');
});

test('no Debian mirror is an IngotError naming the files', (t) => {
  const dir = aptDir({ 'sources.list': 'deb cdrom:[Debian]/ bookworm main\n' });
  t.after(() => rmSync(dir, { recursive: true }));
  assert.throws(() => readAptMirror(dir), /no Debian mirror found/);
});

test('this host has a Debian mirror configured', { skip: existsSync('/etc/apt') ? false : 'not a Debian host' }, () => {
  assert.match(readAptMirror().uri, /^(https?|file):\/\//);
});
