/** @module File-system action modules, run through the executor on the host inside a temp directory. */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HostInstance } from '../../instance/host/host-instance.ts';
import type { Instance } from '../../instance/types.ts';
import { buildDoc, runYaml, tempDir } from '../../../test/helpers/toe.ts';

const step = (name: string, action: string, inputs: unknown, extra = '') =>
  `      - name: ${name}\n        action: ${action}\n${extra}        inputs: ${JSON.stringify(inputs)}\n`;

test('CreateFile, AppendFile, ReadFile (with encodings) and chaining to content', async (t) => {
  const d = tempDir(t);
  const run = await runYaml(
    buildDoc(
      step('Create', 'CreateFile', [
        { path: `${d}/a/b/x.txt`, content: 'héllo', permissions: '0640' },
        { path: `${d}/u16.txt`, content: 'hi', encoding: 'UTF-16' },
      ]) +
        step('Append', 'AppendFile', [{ path: `${d}/a/b/x.txt`, content: ' world' }]) +
        step('Read', 'ReadFile', [{ path: `${d}/a/b/x.txt` }]) +
        step('Read16', 'ReadFile', [{ path: `${d}/u16.txt`, encoding: 'utf-16' }]) +
        step('Echo', 'ExecuteBash', { commands: ['echo "[{{ build.Read.outputs.content }}]"'] }) +
        step(
          'NoOverwrite',
          'CreateFile',
          [{ path: `${d}/u16.txt`, overwrite: false }],
          '        onFailure: Continue\n',
        ),
    ),
  );
  assert.equal(readFileSync(`${d}/a/b/x.txt`, 'utf8'), 'héllo world');
  assert.equal(statSync(`${d}/a/b/x.txt`).mode & 0o777, 0o640);
  assert.deepEqual([...readFileSync(`${d}/u16.txt`)], [0x68, 0, 0x69, 0]);
  assert.equal(run.step('Read16').outputs, JSON.stringify([{ content: 'hi' }]));
  assert.equal(run.step('Echo').outputs, JSON.stringify([{ stdout: '[héllo world]' }]));
  assert.match(run.step('NoOverwrite').failureMessage, /exists and overwrite is false/);
});

test('CopyFile, MoveFile and DeleteFile with wildcards and folder destinations', async (t) => {
  const d = tempDir(t);
  for (const f of ['a.log', 'b.log', 'c.txt']) writeFileSync(join(d, f), f);
  const run = await runYaml(
    buildDoc(
      step('Copy', 'CopyFile', [
        { source: `${d}/*.log`, destination: `${d}/logs/` },
        { source: `${d}/c.txt`, destination: `${d}/renamed.txt` },
      ]) +
        step('Move', 'MoveFile', [{ source: `${d}/c.txt`, destination: `${d}/moved/` }]) +
        step('Delete', 'DeleteFile', [{ path: `${d}/*.log` }]) +
        step('List', 'ListFiles', [{ path: d, recursive: true, fileNamePattern: '*.log' }]),
    ),
  );
  assert.equal(run.output.status, 'success', run.output.failureMessage);
  assert.equal(readFileSync(`${d}/logs/a.log`, 'utf8'), 'a.log');
  assert.equal(readFileSync(`${d}/renamed.txt`, 'utf8'), 'c.txt');
  assert.ok(existsSync(`${d}/moved/c.txt`) && !existsSync(`${d}/c.txt`));
  assert.ok(!existsSync(`${d}/a.log`) && !existsSync(`${d}/b.log`));
  assert.equal(run.step('List').outputs, JSON.stringify([{ files: `${d}/logs/a.log,${d}/logs/b.log` }]));
});

test('CreateFolder, CopyFolder, MoveFolder, DeleteFolder (force) and folder permissions/owner', async (t) => {
  const d = tempDir(t);
  mkdirSync(`${d}/src/sub`, { recursive: true });
  writeFileSync(`${d}/src/sub/f`, 'f');
  const run = await runYaml(
    buildDoc(
      step('Make', 'CreateFolder', [{ path: `${d}/made/deep`, permissions: 750 }]) +
        step('Copy', 'CopyFolder', [{ source: `${d}/src`, destination: `${d}/copies/` }]) +
        step('Move', 'MoveFolder', [{ source: `${d}/copies/src`, destination: `${d}/moved` }]) +
        step('Perms', 'SetFolderPermissions', [{ path: `${d}/moved`, permissions: 'go-rwx' }]) +
        step('Owner', 'SetFolderOwner', [{ path: `${d}/moved`, owner: 'nobody' }]) +
        step('FilePerms', 'SetFilePermissions', [{ path: `${d}/moved/sub/f`, permissions: '0600' }]) +
        step('NotEmpty', 'DeleteFolder', [{ path: `${d}/src` }], '        onFailure: Continue\n') +
        step('Force', 'DeleteFolder', [{ path: `${d}/made`, force: true }]),
    ),
  );
  assert.equal(statSync(`${d}/moved/sub/f`).mode & 0o777, 0o600);
  assert.equal(statSync(`${d}/moved/sub`).mode & 0o077, 0);
  assert.equal(statSync(`${d}/moved/sub/f`).uid, 65534);
  assert.ok(!existsSync(`${d}/copies/src`));
  assert.match(run.step('NotEmpty').failureMessage, /not empty; set force: true/);
  assert.ok(!existsSync(`${d}/made`));
});

test('SetFileEncoding, SetFileOwner and CreateSymlink', async (t) => {
  const d = tempDir(t);
  writeFileSync(`${d}/t.txt`, 'ok');
  const run = await runYaml(
    buildDoc(
      step('Enc', 'SetFileEncoding', [{ path: `${d}/t.txt`, encoding: 'utf-32-be' }]) +
        step('Own', 'SetFileOwner', [{ path: `${d}/t.txt`, owner: 'nobody', group: 'nogroup' }]) +
        step('Link', 'CreateSymlink', [{ path: `${d}/links/l`, target: `${d}/t.txt` }]),
    ),
  );
  assert.equal(run.output.status, 'success', run.output.failureMessage);
  assert.deepEqual([...readFileSync(`${d}/t.txt`)], [0, 0, 0, 0x6f, 0, 0, 0, 0x6b]);
  assert.equal(statSync(`${d}/t.txt`).gid, 65534);
  assert.ok(lstatSync(`${d}/links/l`).isSymbolicLink());
  assert.equal(readlinkSync(`${d}/links/l`), `${d}/t.txt`);
});

test('path safety: hostile names are data, never code; "/" and Windows paths are refused', async (t) => {
  const d = tempDir(t);
  const evil = `${d}/$(touch ${d}/pwned); "x" 'y' \`touch ${d}/pwned2\``;
  const run = await runYaml(
    buildDoc(
      step('Evil', 'CreateFile', [{ path: evil, content: 'data' }]) +
        step('Root', 'DeleteFolder', [{ path: '/', force: true }], '        onFailure: Continue\n') +
        step('Win', 'CreateFolder', [{ path: 'C:\\Temp' }], '        onFailure: Continue\n'),
    ),
  );
  assert.equal(readFileSync(evil, 'utf8'), 'data');
  assert.ok(!existsSync(`${d}/pwned`) && !existsSync(`${d}/pwned2`));
  assert.match(run.step('Root').failureMessage, /refusing to operate on '\/'/);
  assert.match(run.step('Win').failureMessage, /Windows path/);
  assert.ok(existsSync('/bin'));
});

test('Assert, ExecuteBinary and Windows-only modules', async () => {
  const run = await runYaml(
    buildDoc(
      step('Bin', 'ExecuteBinary', { path: '/bin/echo', arguments: ['a b', '$HOME'] }) +
        step(
          'Good',
          'Assert',
          { stringEquals: 'A B $home', value: '{{ build.Bin.outputs.stdout }}' },
          '        onFailure: Continue\n',
        ) +
        step('Bad', 'Assert', { numberGreaterThan: 3, value: '5' }, '        onFailure: Continue\n') +
        step('Pattern', 'Assert', { patternMatches: '^a', value: '{{ build.Bin.outputs.stdout }}' }) +
        step('Less', 'Assert', {
          and: [
            { numberLessThan: 2, value: '3' },
            { stringLessThan: 'Apple', value: 'banana' },
            { not: { stringEquals: 'x', value: 'y' } },
          ],
        }) +
        step('PowerShell', 'ExecutePowerShell', { commands: ['Write-Host hi'] }, '        onFailure: Continue\n') +
        step(
          'Registry',
          'SetRegistry',
          [{ path: 'HKLM:\\SOFTWARE\\X', name: 'n', value: 1, type: 'DWORD' }],
          '        onFailure: Continue\n',
        ),
    ),
  );
  assert.equal(run.step('Bin').outputs, JSON.stringify([{ stdout: 'a b $HOME' }]));
  assert.equal(run.step('Good').status, 'success');
  assert.match(run.step('Bad').failureMessage, /Assert failed: numberGreaterThan: 3 value: "5"/);
  assert.equal(run.step('Pattern').status, 'success');
  assert.equal(run.step('Less').status, 'success', run.step('Less').failureMessage);
  assert.match(run.step('PowerShell').failureMessage, /not supported on Linux/);
  assert.match(run.step('Registry').failureMessage, /not supported on Linux/);
});

test('UpdateOS builds the right command per package manager and fails cleanly without one', async (t) => {
  const { updateScript } = await import('./update-os/plan.ts');
  assert.deepEqual(updateScript('apt-get', ['openssl'], ['linux-image-amd64']).args, [
    '1',
    'openssl',
    'linux-image-amd64',
  ]);
  assert.match(updateScript('dnf', [], ['kernel']).script, /dnf upgrade -y \$exc \$inc/);
  assert.throws(() => updateScript('zypper', ['x; rm -rf /'], []), /not a package name/);
  const emptyPath = tempDir(t);
  const host = new HostInstance();
  const instance: Instance = {
    kind: 'host',
    id: 'no-package-manager',
    exec: (p) => host.exec({ ...p, env: { ...(p.env ?? {}), PATH: emptyPath } }),
    copyIn: (a, b) => host.copyIn(a, b),
    copyOut: (a, b) => host.copyOut(a, b),
    reboot: () => host.reboot(),
    close: () => host.close(),
  };
  const run = await runYaml(buildDoc(step('Update', 'UpdateOS', { exclude: ['linux-image-amd64'] })), { instance });
  assert.match(run.step('Update').failureMessage, /no supported package manager/);
});
