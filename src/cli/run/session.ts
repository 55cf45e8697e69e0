/**
 * @module Boots a disk for `ingot run`/`ingot shell` and attaches this terminal to it over SSH:
 * progress and the SSH command line on stderr, Ctrl-C while booting stops the VM, Ctrl-C during
 * the session goes to the guest (ssh gets it), the VM is stopped when the session ends. SIGTERM or
 * SIGHUP (the terminal closed; not under nohup) stop the boot or end the session the same way, so
 * the caller's clean-up (the overlay the VM wrote) still runs.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type { Accel } from '../../instance/qemu/accel.ts';
import { chooseAccel, createQemuInstance, type PortForward } from '../../instance/qemu/index.ts';
import type { UserKey } from './keys.ts';
import type { BootTarget } from './target.ts';

export function positiveInt(flag: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max)
    throw new IngotError('invalid-input', `${flag} must be a whole number from 1 to ${max}, not '${text}'`);
  return n;
}

export function parseForward(text: string): PortForward {
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m) throw new IngotError('invalid-input', `--forward must be HOST:GUEST (two port numbers), not '${text}'`);
  return { host: positiveInt('--forward HOST', m[1]!, 65535), guest: positiveInt('--forward GUEST', m[2]!, 65535) };
}

export interface AttachSpec {
  target: BootTarget;
  workDir: string;
  key: UserKey | undefined;
  forwards: readonly PortForward[];
  cpus: number;
  memoryMiB: number;
  accel: Accel | undefined;
  /** Run this and exit with its status; undefined: an interactive login shell. */
  command: string | undefined;
  hostname?: string;
  /** The prefix of progress lines (default `ingot run`). */
  who?: string;
}

export async function bootAndAttach(spec: AttachSpec): Promise<number> {
  const say = (line: string) => process.stderr.write(`${spec.who ?? 'ingot run'}: ${line}\n`);
  const abort = new AbortController();
  const onInt = () => abort.abort();
  process.on('SIGINT', onInt);
  let stopSession: (() => void) | undefined;
  const onStop = () => (stopSession ? stopSession() : abort.abort());
  process.on('SIGTERM', onStop);
  // Not under nohup (main.ts keeps SIGHUP ignored there).
  const hangup = process.env['INGOT_SIGHUP_IGNORED'] !== '1';
  if (hangup) process.on('SIGHUP', onStop);
  try {
    const accel = await chooseAccel(spec.accel);
    const volumes = spec.target.dataVolumesGiB ?? [];
    say(
      `booting ${spec.target.label} (${spec.target.disk}) under qemu: ${accel.toUpperCase()}, ${spec.target.firmware === 'uefi' ? 'UEFI (OVMF; the disk has no BIOS boot code), ' : ''}${spec.cpus} vCPU, ${spec.memoryMiB} MiB${volumes.length ? `, empty data volumes of ${volumes.map((g) => `${g} GiB`).join(', ')}` : ''}`,
    );
    const started = performance.now();
    const vm = await createQemuInstance({
      disk: spec.target.disk,
      diskFormat: spec.target.qemuFormat,
      workDir: spec.workDir,
      hostname: spec.hostname ?? 'ingot-run',
      cpus: spec.cpus,
      memoryMiB: spec.memoryMiB,
      accel,
      signal: abort.signal,
      onBootProgress: say,
      ...(spec.target.firmware ? { firmware: spec.target.firmware } : {}),
      ...(volumes.length ? { dataVolumesGiB: volumes } : {}),
      ...(spec.key ? { sshAuthorizedKeys: [spec.key.publicKey] } : {}),
      ...(spec.forwards.length ? { forwards: spec.forwards } : {}),
    }).catch((err: unknown) => {
      if (abort.signal.aborted) throw new IngotError('invalid-request', 'interrupted while the VM booted');
      throw new IngotError('invalid-input', `the image did not boot: ${(err as Error).message}`, { cause: err });
    });
    // From here Ctrl-C belongs to the session (ssh passes it on); ending the session stops the VM.
    process.off('SIGINT', onInt);
    process.on('SIGINT', ignore);
    // Stopping the VM ends the SSH session; the finally below and the caller's clean up.
    stopSession = () => void vm.close();
    try {
      say(`SSH answered after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      say(
        `ssh -p ${vm.sshPort}${spec.key ? '' : ` -i ${vm.keyFile}`} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@127.0.0.1${spec.key ? ` (key ${spec.key.file})` : ' (no key of yours in ~/.ssh: a throwaway key, deleted with the VM)'}`,
      );
      for (const f of spec.forwards) say(`127.0.0.1:${f.host} -> guest port ${f.guest}`);
      return await vm.interactive(spec.command);
    } finally {
      await vm.close();
      process.off('SIGINT', ignore);
    }
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onStop);
    process.off('SIGHUP', onStop);
  }
}

function ignore(): void {}
