/** @module ensureResolver: written once when missing, and tried again when the SSH session was cut (exit 255). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecParams, ExecResult, Instance } from '../types.ts';
import { ensureResolver } from './resolver.ts';

/** An instance whose exec answers from a script of exit codes (the guest side is not what is tested here). */
function scripted(codes: number[]): { instance: Instance; calls: string[] } {
  const calls: string[] = [];
  const exec = async (p: ExecParams): Promise<ExecResult> => {
    calls.push(p.argv.join(' ').includes('printf') ? 'write' : 'check');
    const exitCode = codes.shift() ?? 0;
    return { exitCode, stdout: '', stderr: '' } as ExecResult;
  };
  return { instance: { exec } as unknown as Instance, calls };
}

test('a resolv.conf that names a server is left alone', async () => {
  const { instance, calls } = scripted([0]);
  assert.equal(await ensureResolver(instance), false);
  assert.deepEqual(calls, ['check']);
});

test('a missing resolv.conf (grep exit 2) is written', async () => {
  const { instance, calls } = scripted([2, 0]);
  assert.equal(await ensureResolver(instance), true);
  assert.deepEqual(calls, ['check', 'write']);
});

test('a session cut by a restarting sshd (exit 255, no stderr) is tried again', async () => {
  const { instance, calls } = scripted([1, 255, 1, 0]);
  assert.equal(await ensureResolver(instance), true);
  assert.deepEqual(calls, ['check', 'write', 'check', 'write']);
});

test('a write that fails in the guest is an error at once; three cut sessions are too', async () => {
  await assert.rejects(
    ensureResolver(scripted([1, 1]).instance),
    /cannot write \/etc\/resolv.conf in the VM \(exit 1\)/,
  );
  await assert.rejects(ensureResolver(scripted([255, 255, 255]).instance), /exit 255/);
});
