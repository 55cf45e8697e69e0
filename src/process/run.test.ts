/** @module Tests the process runner with real processes: exit codes, signals, abort, timeouts, stderr tail, streaming. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IngotError } from '../errors/ingot-error.ts';
import { CommandFailed, findTool, hasTool, missingTool, runCommand, startCommand } from './index.ts';

const sh = (script: string) => ['sh', '-c', script];
/** Running (a killed process whose parent died may stay a zombie until init reaps it: that counts as gone). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

test('a command that exits 0 resolves with its output; env and cwd are passed', async () => {
  const r = await runCommand(sh('echo "$GREETING"; pwd; echo warn >&2'), { env: { GREETING: 'hi' }, cwd: '/tmp' });
  assert.deepEqual(r, {
    exitCode: 0,
    signal: null,
    stdout: 'hi\n/tmp\n',
    stderr: 'warn\n',
    timedOut: false,
    aborted: false,
  });
});

test('a non-zero exit is a CommandFailed (an IngotError) with argv, exit code and the tail of stderr', async () => {
  const err = await runCommand(sh(`for i in $(seq 1 500); do echo "line $i" >&2; done; exit 3`)).catch((e) => e);
  assert.ok(err instanceof CommandFailed);
  assert.ok(err instanceof IngotError);
  assert.equal(err.exitCode, 3);
  assert.equal(err.signal, null);
  assert.deepEqual(err.argv.slice(0, 2), ['sh', '-c']);
  assert.match(err.message, /^sh -c .* failed \(exit 3\): .*line 500$/s);
  assert.ok(err.message.length < 1000, 'the message carries only the tail');
  assert.ok(err.stderrTail.endsWith('line 500'));
  assert.ok(!err.message.includes('line 1\n'));
});

test('okCodes and check: false resolve other exits', async () => {
  assert.equal((await runCommand(sh('exit 2'), { okCodes: [2] })).exitCode, 2);
  assert.equal((await runCommand(sh('exit 5'), { check: false })).exitCode, 5);
});

test('a command killed by a signal reports the signal', async () => {
  const err = await runCommand(sh('kill -TERM $$')).catch((e) => e);
  assert.ok(err instanceof CommandFailed);
  assert.equal(err.exitCode, null);
  assert.equal(err.signal, 'SIGTERM');
  assert.match(err.message, /killed by SIGTERM/);
});

test('a program that is not installed fails to start with notFound', async () => {
  const err = await runCommand(['ingot-no-such-tool-xyz', '--help']).catch((e) => e);
  assert.ok(err instanceof CommandFailed);
  assert.equal(err.notFound, true);
  assert.match(err.message, /ingot-no-such-tool-xyz --help could not start: .*ENOENT/);
});

test('aborting kills the whole process group, a daemonised grandchild too', async () => {
  const ac = new AbortController();
  let grandchild = 0;
  const run = runCommand(sh('sleep 30 & echo $!; wait'), {
    signal: ac.signal,
    group: true,
    check: false,
    onStdout: (c) => {
      grandchild = Number(c.trim());
      ac.abort();
    },
  });
  const r = await run;
  assert.equal(r.aborted, true);
  assert.equal(r.signal, 'SIGKILL');
  assert.ok(grandchild > 0);
  await sleep(50);
  assert.equal(alive(grandchild), false, 'the background sleep died with its group');
  const err = await runCommand(['sleep', '30'], { signal: AbortSignal.abort() }).catch((e) => e);
  assert.ok(err instanceof CommandFailed);
  assert.equal(err.aborted, true);
  assert.match(err.message, /was cancelled/);
});

test('a timeout kills the command and says so', async () => {
  const started = Date.now();
  const err = await runCommand(['sleep', '30'], { timeoutMs: 200 }).catch((e) => e);
  assert.ok(Date.now() - started < 5000);
  assert.ok(err instanceof CommandFailed);
  assert.equal(err.timedOut, true);
  assert.match(err.message, /^sleep 30 timed out after 0 s/);
});

test('input goes to stdin; output streams line by line, a last line without newline too', async () => {
  const lines: string[] = [];
  const r = await runCommand(['sh', '-c', 'cat; printf "err1\\nerr2" >&2'], {
    input: 'a\nb\nc',
    onLine: (line, stream) => lines.push(`${stream}:${line}`),
  });
  assert.equal(r.stdout, 'a\nb\nc');
  assert.deepEqual(
    lines.filter((l) => l.startsWith('stdout')),
    ['stdout:a', 'stdout:b', 'stdout:c'],
  );
  assert.deepEqual(
    lines.filter((l) => l.startsWith('stderr')),
    ['stderr:err1', 'stderr:err2'],
  );
});

test('redact hides secrets in the argv and output of a CommandFailed', async () => {
  const err = await runCommand(sh('echo "bad creds user:s3cret" >&2; exit 1').concat('--creds', 'user:s3cret'), {
    redact: (s) => s.replaceAll('s3cret', '***'),
  }).catch((e) => e);
  assert.ok(err instanceof CommandFailed);
  assert.ok(!err.message.includes('s3cret'));
  assert.ok(!err.argv.join(' ').includes('s3cret'));
  assert.match(err.message, /user:\*\*\*/);
});

test('startCommand streams stdout to the caller and done rejects on failure', async () => {
  const cmd = startCommand(sh('printf hello; exit 4'), { stdout: 'stream' });
  let text = '';
  for await (const c of cmd.stdout!) text += c;
  assert.equal(text, 'hello');
  const err = await cmd.done.catch((e) => e);
  assert.ok(err instanceof CommandFailed);
  assert.equal(err.exitCode, 4);
  const long = startCommand(['sleep', '30'], { stdin: 'pipe' });
  assert.equal(long.running(), true);
  long.kill();
  await long.done.catch(() => {});
  assert.equal(long.running(), false);
});

test('the tool probe finds executables on PATH and caches per PATH', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-tools-'));
  const saved = process.env['PATH'];
  t.after(() => {
    process.env['PATH'] = saved;
    rmSync(dir, { recursive: true });
  });
  assert.equal(hasTool('sh'), true);
  assert.match(findTool('sh') ?? '', /\/sh$/);
  assert.equal(hasTool('ingot-fake-tool'), false);
  writeFileSync(join(dir, 'ingot-fake-tool'), '#!/bin/sh\n');
  chmodSync(join(dir, 'ingot-fake-tool'), 0o755);
  writeFileSync(join(dir, 'not-executable'), '');
  process.env['PATH'] = `${dir}:${saved}`;
  assert.equal(findTool('ingot-fake-tool'), join(dir, 'ingot-fake-tool'));
  assert.equal(hasTool('not-executable'), false);
  assert.equal(missingTool('sh', 'ingot-fake-tool', 'ingot-absent'), 'ingot-absent');
});
