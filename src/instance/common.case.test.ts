/**
 * @module The Instance conformance suite: every driver runs it (host, sandbox, ...) and skips,
 * with a reason, what it cannot do. Not a test file itself; the drivers' test files call it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Instance } from './types.ts';

export const CONFORMANCE_TESTS = [
  'exit codes',
  'stdout and stderr',
  'env',
  'cwd',
  'stdin',
  'missing program',
  'timeout kills the whole tree',
  'abort',
  'copyIn/copyOut round trip',
  'reboot ends processes and keeps files',
  'close is idempotent',
] as const;
export type ConformanceTest = (typeof CONFORMANCE_TESTS)[number];

export interface ConformanceOptions {
  name: string;
  newInstance: () => Promise<Instance>;
  skip?: { reason: string; tests: readonly ConformanceTest[] }[];
}

const sh = (script: string) => ['/bin/sh', '-c', script];
const unique = () => `ingot-conformance-${randomBytes(4).toString('hex')}`;

const CASES: Record<ConformanceTest, (i: Instance) => Promise<void>> = {
  'exit codes': async (i) => {
    assert.equal((await i.exec({ argv: sh('exit 3') })).exitCode, 3);
    const ok = await i.exec({ argv: ['true'] });
    assert.deepEqual([ok.exitCode, ok.signal, ok.timedOut, ok.aborted], [0, null, false, false]);
  },
  'stdout and stderr': async (i) => {
    const streamed: string[] = [];
    const r = await i.exec({ argv: sh('echo out; echo err >&2'), onStdout: (c) => streamed.push(c) });
    assert.deepEqual([r.stdout, r.stderr, streamed.join('')], ['out\n', 'err\n', 'out\n']);
  },
  env: async (i) => {
    const r = await i.exec({ argv: sh('echo "$INGOT_X"'), env: { INGOT_X: 'a b', PATH: '/usr/bin:/bin' } });
    assert.equal(r.stdout, 'a b\n');
  },
  cwd: async (i) => {
    assert.equal((await i.exec({ argv: ['pwd'], cwd: '/usr/bin' })).stdout, '/usr/bin\n');
  },
  stdin: async (i) => {
    assert.equal((await i.exec({ argv: ['cat'], stdin: 'line 1\nline 2\n' })).stdout, 'line 1\nline 2\n');
  },
  'missing program': async (i) => {
    // Rejected (could not start) or reported as a failed exit, never a success.
    const r = await i.exec({ argv: ['/nonexistent/ingot-program'] }).catch(() => undefined);
    if (r) assert.notEqual(r.exitCode, 0);
  },
  'timeout kills the whole tree': async (i) => {
    const marker = `/tmp/${unique()}`;
    const started = Date.now();
    const r = await i.exec({ argv: sh(`(sleep 1; echo late > ${marker}) & sleep 30`), timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.ok(Date.now() - started < 5000);
    await sleep(1500);
    assert.notEqual(
      (await i.exec({ argv: ['test', '-e', marker] })).exitCode,
      0,
      'a background child outlived the timeout',
    );
  },
  abort: async (i) => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 200);
    const r = await i.exec({ argv: ['sleep', '30'], signal: ctl.signal });
    assert.equal(r.aborted, true);
    assert.notEqual(r.exitCode, 0);
  },
  'copyIn/copyOut round trip': async (i) => {
    const host = mkdtempSync(join(tmpdir(), 'ingot-conf-'));
    try {
      mkdirSync(join(host, 'in/sub'), { recursive: true });
      writeFileSync(join(host, 'in/a.txt'), 'alpha');
      writeFileSync(join(host, 'in/sub/b.txt'), 'beta');
      const dir = `/tmp/${unique()}`;
      await i.copyIn(join(host, 'in'), dir);
      assert.equal((await i.exec({ argv: ['cat', `${dir}/a.txt`, `${dir}/sub/b.txt`] })).stdout, 'alphabeta');
      await i.exec({ argv: sh(`echo gamma > ${dir}/sub/c.txt`) });
      await i.copyOut(dir, join(host, 'out'));
      assert.equal(readFileSync(join(host, 'out/sub/b.txt'), 'utf8'), 'beta');
      assert.equal(readFileSync(join(host, 'out/sub/c.txt'), 'utf8'), 'gamma\n');
      await i.exec({ argv: ['rm', '-rf', dir] });
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  },
  'reboot ends processes and keeps files': async (i) => {
    const file = `/root/${unique()}`;
    await i.exec({ argv: sh(`echo kept > ${file}`) });
    const running = i.exec({ argv: ['sleep', '30'] });
    await sleep(200);
    const started = Date.now();
    await i.reboot();
    const r = await running;
    assert.ok(Date.now() - started < 5000);
    assert.notEqual(r.exitCode, 0);
    assert.equal((await i.exec({ argv: ['cat', file] })).stdout, 'kept\n');
  },
  'close is idempotent': async (i) => {
    await i.close();
    await i.close();
  },
};

/** Registers the suite as node:test tests named `<name>: <case>`. */
export function runInstanceConformance(opts: ConformanceOptions): void {
  for (const name of CONFORMANCE_TESTS) {
    const skip = opts.skip?.find((s) => s.tests.includes(name));
    test(`${opts.name}: ${name}`, { skip: skip ? skip.reason : false, timeout: 30_000 }, async () => {
      const instance = await opts.newInstance();
      try {
        await CASES[name](instance);
      } finally {
        await instance.close();
      }
    });
  }
}
