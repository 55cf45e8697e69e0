/** @module ExecuteBash failure summaries on the host: the first failing command, its line and neighbours, and foreign package tools. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildDoc, runYaml } from '../../../../test/helpers/toe.ts';
import { foreignTools } from './foreign-distro.ts';
import { markerFilter, takeFirstFailure } from './first-failure.ts';

const bash = (name: string, commands: string[]) =>
  `      - name: ${name}\n        action: ExecuteBash\n        inputs:\n          commands:\n${commands.map((c) => `            - ${JSON.stringify(c)}\n`).join('')}`;

test('a failed script reports its first failing command, exit code and the lines around it, not the last stderr line', async () => {
  const run = await runYaml(
    buildDoc(
      bash('Install', [
        'echo preparing',
        'cp /nonexistent/ingot-config /tmp/ 2>/dev/null',
        'echo "status $?"',
        'if false; then echo never; fi',
        'echo later problem >&2',
        'exit 4',
      ]),
    ),
  );
  const step = run.step('Install');
  assert.equal(step.status, 'failed');
  const msg = step.failureMessage;
  assert.match(
    msg,
    /^ExecuteBash failed with exit code 4: the first failing command was line 2 `cp \/nonexistent\/ingot-config \/tmp\/ 2> \/dev\/null` \(exit code 1\)/,
  );
  assert.match(
    msg,
    /script lines 1: echo preparing \| 2> cp \/nonexistent\/ingot-config \/tmp\/ 2>\/dev\/null \| 3: echo "status \$\?"/,
  );
  // $? after the failing command is what the script saw (the trap does not change it) and the marker never reaches the log.
  assert.equal(step.stdoutExcerpt.includes('status 1'), true);
  assert.match(step.stderrExcerpt, /later problem/);
  assert.doesNotMatch(step.stderrExcerpt, /INGOT-FIRST-FAILURE/);
});

test('a script with no failing command keeps the plain summary; child bash processes do not inherit the trap', async () => {
  const run = await runYaml(buildDoc(bash('Plain', ['bash -c "false; echo child-ok"', 'exit 2'])));
  assert.equal(run.step('Plain').failureMessage, 'ExecuteBash failed with exit code 2');
  assert.match(run.step('Plain').stdoutExcerpt, /child-ok/);
});

test('a yum document on a Debian image fails with a summary that names yum and the image', async () => {
  const run = await runYaml(
    buildDoc(
      bash('InstallHttpd', [
        'yum install -y httpd',
        'systemctl enable --now httpd 2>/dev/null || true',
        'test -f /etc/httpd/conf/httpd.conf',
      ]),
    ),
  );
  const msg = run.step('InstallHttpd').failureMessage;
  assert.match(
    msg,
    /the first failing command was line 1 `yum install -y httpd` \(exit code 127\): line 1: yum: command not found/,
  );
  assert.match(msg, /This document targets another distribution: it uses yum \(Red Hat-family/);
  assert.match(msg, /does not have; use apt-get on this image/);
  assert.doesNotMatch(msg, /ingot-toe-/);
});

test('foreign tools are found as commands, not inside words', () => {
  assert.deepEqual(
    foreignTools('sudo yum -y update\ndnf install x && zypper in y\namazon-linux-extras install nginx1'),
    ['yum', 'dnf', 'zypper', 'amazon-linux-extras'],
  );
  assert.deepEqual(foreignTools('apt-get install -y yummy rpmlint\necho dnfx'), []);
});

test('the marker is taken out of streamed and collected stderr', () => {
  const seen: string[] = [];
  const f = markerFilter((c) => seen.push(c));
  f.write('warn: a\n\x1eINGOT-FIRST-FAI');
  f.write('LURE 1 2 false\nlast');
  f.flush();
  assert.equal(seen.join(''), 'warn: a\nlast');
  const { stderr, failure } = takeFirstFailure('x\n\x1eINGOT-FIRST-FAILURE 127 5 yum install\ny\n');
  assert.equal(stderr, 'x\ny\n');
  assert.deepEqual(failure, { exitCode: 127, line: 5, command: 'yum install', stderrBefore: ['x'] });
});

test('a failed apt-get install without an update first says the lists may be out of date', async () => {
  const run = await runYaml(buildDoc(bash('Install', ['echo "E: Unable to locate package nginx" >&2', 'exit 100'])));
  assert.match(run.step('Install').failureMessage, /run apt-get update before installing/);
  const updated = await runYaml(
    buildDoc(bash('Install', ['true apt-get update', 'echo "E: Unable to locate package nginx" >&2', 'exit 100'])),
  );
  assert.doesNotMatch(updated.step('Install').failureMessage, /apt-get update before/);
});
