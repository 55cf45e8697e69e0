/** @module Tests ensureBaseImage: caching, refresh, locking and crash safety (fake mmdebstrap), and a real bootstrap. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBaseImage } from './ensure.ts';
import { listBaseImages } from './catalogue.ts';
import { fakeMmdebstrapBin } from '../../test/helpers/fake-mmdebstrap.ts';
import { bootstrapUnavailable, sharedTestBase } from '../../test/helpers/test-base.ts';

/** A PATH entry with a fake `mmdebstrap` that logs its calls and builds a tiny tree. */
function fakeMmdebstrap(dir: string): { calls: () => string[]; args: () => string[] } {
  const log = join(dir, 'calls.log');
  const bin = fakeMmdebstrapBin(dir, [
    `echo "$suite $target" >> ${log}`,
    `printf '%s\\n' "$*" | tr -d '\\n' >> ${log}.args; echo >> ${log}.args`,
    'echo "I: fake bootstrap" >&2; sleep 0.3',
    '[ "$suite" = broken ] && exit 3',
    'mkdir -p "$target/etc" "$target/var/lib/dpkg" && echo "12.99" > "$target/etc/debian_version"',
    'printf "Package: a\\nStatus: install ok installed\\n\\nPackage: b\\nStatus: install ok installed\\n" > "$target/var/lib/dpkg/status"',
  ]);
  process.env.PATH = `${bin}:${process.env.PATH}`;
  return {
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
    args: () => (existsSync(`${log}.args`) ? readFileSync(`${log}.args`, 'utf8').trim().split('\n') : []),
  };
}

function aptDir(root: string): string {
  const dir = join(root, 'apt');
  mkdirSync(join(dir, 'sources.list.d'), { recursive: true });
  writeFileSync(join(dir, 'sources.list'), 'deb http://mirror.example.net/debian bookworm main\n');
  return dir;
}

test('fake bootstrap: concurrent callers share one bootstrap, then the cache is reused', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ingot-bases-'));
  const savedPath = process.env.PATH;
  t.after(() => ((process.env.PATH = savedPath), rmSync(root, { recursive: true })));
  const fake = fakeMmdebstrap(root);
  const opts = { ingotHome: join(root, 'home'), aptDir: aptDir(root) };
  // A crashed earlier bootstrap left a half tree behind: it must never be used, and gets cleaned.
  mkdirSync(join(opts.ingotHome, 'bases/debian-12/.building-1-1/rootfs'), { recursive: true });
  const [a, b] = await Promise.all([ensureBaseImage('debian-12', opts), ensureBaseImage('debian-12', opts)]);
  assert.deepEqual(a, b);
  assert.equal(fake.calls().length, 1);
  assert.match(a.version, /^\d{4}\.\d{2}\.\d{2}$/);
  assert.match(a.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(a.osVersion, 'Debian 12');
  const meta = JSON.parse(readFileSync(join(a.rootfsDir, '../metadata.json'), 'utf8'));
  assert.equal(meta.packageCount, 2);
  assert.equal(meta.mirror, 'http://mirror.example.net/debian');
  assert.equal(meta.suite, 'bookworm');
  // The gzip container base layer is not made on a first build's path (a disk build never needs
  // it): `ingot bases refresh` or the first container build makes it (test/build/base-layer-with-base.test.ts).
  assert.ok(!existsSync(join(a.rootfsDir, '../base-layer.gzip.json')));
  assert.ok(!readdirSync(join(a.rootfsDir, '..')).some((e) => e.startsWith('base-layer.')));
  assert.ok(!readdirSync(join(opts.ingotHome, 'bases/debian-12')).some((e) => e.startsWith('.building')));
  assert.deepEqual(await ensureBaseImage('debian-12', opts), a);
  assert.equal(fake.calls().length, 1);
  // Refresh, and age, rebootstrap.
  await ensureBaseImage('debian-12', { ...opts, refresh: true });
  await ensureBaseImage('debian-12', { ...opts, maxAgeDays: 0 });
  assert.equal(fake.calls().length, 3);
  const t13 = await ensureBaseImage('debian-13', opts);
  assert.equal(t13.osVersion, 'Debian 13');
  assert.match(fake.calls().at(-1) ?? '', /^trixie /);
  // Cloud bases: the important set plus Debian's cloud packages, apt lists kept; the minimal one is minbase.
  assert.match(fake.args().at(-1) ?? '', /--variant=important --include=[^ ]*\bopenssh-server\b[^ ]*\bsudo\b/);
  assert.match(fake.args().at(-1) ?? '', /--skip=cleanup\/apt\/lists/);
  await ensureBaseImage('debian-12-minimal', opts);
  assert.match(fake.args().at(-1) ?? '', /^--variant=minbase /);
  assert.doesNotMatch(fake.args().at(-1) ?? '', /--include/);
});

test('a base bootstrapped from another package set is rebootstrapped, not reused', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ingot-bases-'));
  const savedPath = process.env.PATH;
  t.after(() => ((process.env.PATH = savedPath), rmSync(root, { recursive: true })));
  const fake = fakeMmdebstrap(root);
  const opts = { ingotHome: join(root, 'home'), aptDir: aptDir(root) };
  const first = await ensureBaseImage('debian-12', opts);
  assert.deepEqual(await ensureBaseImage('debian-12', opts), first);
  assert.equal(fake.calls().length, 1);
  // What an Ingot from before the definition key (or with another package list) left: fresh, but another definition.
  const metaFile = join(first.rootfsDir, '../metadata.json');
  const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  delete meta.definition;
  writeFileSync(metaFile, JSON.stringify(meta));
  await ensureBaseImage('debian-12', opts);
  assert.equal(fake.calls().length, 2);
  const again = await ensureBaseImage('debian-12', opts);
  assert.equal(fake.calls().length, 2, 'the new bootstrap is reused');
  assert.match(
    JSON.parse(readFileSync(join(again.rootfsDir, '../metadata.json'), 'utf8')).definition,
    /^[0-9a-f]{16}$/,
  );
});

test('a failed bootstrap leaves no base behind', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ingot-bases-'));
  const savedPath = process.env.PATH;
  t.after(() => ((process.env.PATH = savedPath), rmSync(root, { recursive: true })));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'mmdebstrap'),
    '#!/bin/sh\nmkdir -p "$(echo "$@" | tr " " "\\n" | grep /rootfs)"/etc\necho "E: keyring broken" >&2\nexit 1\n',
  );
  chmodSync(join(bin, 'mmdebstrap'), 0o755);
  process.env.PATH = `${bin}:${savedPath}`;
  const opts = { ingotHome: join(root, 'home'), aptDir: aptDir(root) };
  await assert.rejects(
    ensureBaseImage('debian-12', opts),
    (err: Error & { description?: string }) =>
      /mmdebstrap bookworm failed/.test(err.message) && /keyring broken/.test(err.description ?? ''),
  );
  assert.deepEqual(
    readdirSync(join(opts.ingotHome, 'bases/debian-12')).filter((e) => e !== '.lock'),
    [],
  );
});

test('the catalogue lists debian-12, debian-13 (cloud-like) and debian-12-minimal (minbase)', () => {
  assert.deepEqual(
    listBaseImages().map((b) => [b.name, b.arnNameSuffix, b.osVersion, b.platform, b.variant]),
    [
      ['debian-12', 'debian-12-x86', 'Debian 12', 'Linux', 'cloud'],
      ['debian-13', 'debian-13-x86', 'Debian 13', 'Linux', 'cloud'],
      ['debian-12-minimal', 'debian-12-minimal-x86', 'Debian 12', 'Linux', 'minbase'],
    ],
  );
});

test('real debian-12 bootstrap from the host mirror (shared across test files)', {
  skip: bootstrapUnavailable() ?? false,
  timeout: 900_000,
}, async () => {
  const base = await sharedTestBase();
  const root = (p: string) => join(base.rootfsDir, p);
  // What Debian's cloud images carry, so real documents find it.
  for (const tool of ['sudo', 'curl', 'wget', 'gpg', 'lsb_release', 'adduser', 'ps', 'systemctl', 'unzip', 'less'])
    assert.ok(
      ['usr/bin', 'usr/sbin', 'bin', 'sbin'].some((d) => existsSync(root(`${d}/${tool}`))),
      `${tool} is in the base`,
    );
  assert.ok(existsSync(root('usr/sbin/sshd')), 'openssh-server');
  assert.ok(existsSync(root('etc/ssl/certs/ca-certificates.crt')), 'ca-certificates');
  assert.match(readFileSync(root('etc/sudoers'), 'utf8'), /^@includedir \/etc\/sudoers\.d$/m);
  assert.ok(existsSync(root('etc/sudoers.d')));
  assert.match(readFileSync(root('etc/nsswitch.conf'), 'utf8'), /^hosts:.*\bmyhostname\b/m, 'any hostname resolves');
  assert.ok(
    readdirSync(root('var/lib/apt/lists')).some((f) => f.endsWith('_Packages')),
    'apt lists of the bootstrap are kept',
  );
  assert.deepEqual(
    readdirSync(root('etc/ssh')).filter((f) => f.startsWith('ssh_host_')),
    [],
    'no SSH host keys shared by every machine',
  );
  assert.ok(existsSync(join(base.rootfsDir, 'usr/bin/apt-get')));
  assert.match(readFileSync(join(base.rootfsDir, 'etc/debian_version'), 'utf8'), /^12\./);
  assert.equal(readFileSync(join(base.rootfsDir, 'etc/resolv.conf'), 'utf8'), '');
  assert.match(readFileSync(join(base.rootfsDir, 'etc/hosts'), 'utf8'), /localhost/);
  const meta = JSON.parse(readFileSync(join(base.rootfsDir, '../metadata.json'), 'utf8'));
  assert.ok(meta.packageCount > 50, `${meta.packageCount} packages`);
  assert.equal(meta.suite, 'bookworm');
});

test('real debian-13 bootstrap (slow; set INGOT_TEST_TRIXIE=1)', {
  skip: process.env.INGOT_TEST_TRIXIE
    ? (bootstrapUnavailable() ?? false)
    : 'set INGOT_TEST_TRIXIE=1 to bootstrap trixie (~40 s)',
  timeout: 300_000,
}, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'ingot-trixie-'));
  t.after(() => rmSync(home, { recursive: true }));
  const base = await ensureBaseImage('debian-13', { ingotHome: home });
  assert.match(readFileSync(join(base.rootfsDir, 'etc/debian_version'), 'utf8'), /^13\./);
});
