/** @module `ingot toe validate|run` as a user runs it (a real `node src/cli/main.ts` process). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/helpers/toe.ts';

const MAIN = new URL('../cli/main.ts', import.meta.url).pathname;
const FIXTURES = new URL('../../test/fixtures/toe', import.meta.url).pathname;
const BASES = '/tmp/ingot-test-bases/bases/debian-12';

function ingot(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [MAIN, 'toe', ...args], { encoding: 'utf8', cwd, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('toe validate prints FILE:LINE:COL: PATH: MESSAGE and exits 0 only when all are valid', () => {
  const bad = join(FIXTURES, 'invalid', 'duplicate-step-names.yml');
  const good = join(FIXTURES, 'valid', 'kiwi-ng-if-assert-chaining.yml');
  const r = ingot(['validate', good, bad]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout,
    `${bad}:10:15: phases[0].steps[1].name: duplicate step name 'Hello' (also steps[0]); step names must be unique within a phase\n`,
  );
  assert.equal(ingot(['validate', good]).code, 0);
});

test('toe run executes on the host, writes the run files, and fails with exit code 1', (t) => {
  const d = tempDir(t);
  writeFileSync(
    join(d, 'doc.yml'),
    `schemaVersion: 1.0\nparameters:\n  - Target:\n      type: string\nphases:\n  - name: build\n    steps:\n` +
      `      - name: Write\n        action: CreateFile\n        inputs:\n          - path: '{{ Target }}'\n            content: written\n` +
      `  - name: test\n    steps:\n      - name: Fail\n        action: ExecuteBash\n        inputs:\n          commands: ['exit 7']\n`,
  );
  const ok = ingot([
    'run',
    '--documents',
    join(d, 'doc.yml'),
    '--phases',
    'build',
    '--parameters',
    `Target=${d}/out.txt`,
    '--output',
    join(d, 'run'),
  ]);
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
  assert.match(ok.stdout, /SUCCESS Write/);
  assert.equal(readFileSync(join(d, 'out.txt'), 'utf8'), 'written');
  assert.equal(JSON.parse(readFileSync(join(d, 'run', 'detailedoutput.json'), 'utf8')).status, 'success');
  const failed = ingot([
    'run',
    '--documents',
    join(d, 'doc.yml'),
    '--parameters',
    `Target=${d}/out.txt`,
    '--output',
    join(d, 'run2'),
  ]);
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /FAILED Fail .*exit code 7/);
  assert.equal(ingot(['run']).code, 1);
});

test('toe run --root runs inside a sandboxed copy of a Debian root, reboots included', (t) => {
  const version = existsSync(BASES)
    ? readdirSync(BASES)
        .filter((v) => existsSync(join(BASES, v, 'rootfs')))
        .sort()
        .at(-1)
    : undefined;
  if (!version) return t.skip(`no cached debian-12 test base in ${BASES} (the sandbox tests bootstrap one)`);
  if (process.getuid?.() !== 0) return t.skip('the sandbox needs root');
  const d = tempDir(t);
  const root = join(d, 'root');
  assert.equal(spawnSync('cp', ['-a', join(BASES, version, 'rootfs'), root]).status, 0);
  writeFileSync(
    join(d, 'doc.yml'),
    `schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n` +
      `      - name: Write\n        action: CreateFile\n        inputs:\n          - path: /etc/ingot-toe-marker\n            content: inside\n`,
  );
  const r = ingot([
    'run',
    '--documents',
    `${join(d, 'doc.yml')},reboot-test-linux`,
    '--root',
    root,
    '--output',
    join(d, 'run'),
  ]);
  if (r.code !== 0 && /Unsupported|bwrap|namespace/i.test(r.stderr))
    return t.skip(`sandbox unavailable here: ${r.stderr.trim()}`);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(readFileSync(join(root, 'etc/ingot-toe-marker'), 'utf8'), 'inside');
  assert.ok(!existsSync('/etc/ingot-toe-marker'), 'the host is untouched');
  assert.match(r.stdout, /REBOOT requested by RebootAndResume/);
});
