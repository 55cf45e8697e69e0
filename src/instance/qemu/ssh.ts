/**
 * @module SSH to a VM through qemu's user-mode `hostfwd`: a throwaway ed25519 key, one master
 * connection per boot (ControlMaster), and every exec/copy as a cheap session multiplexed on it.
 */
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCommand, startCommand, type StartedCommand } from '../../process/index.ts';

export interface SshTarget {
  port: number;
  keyFile: string;
  controlPath: string;
}

export async function makeKeyPair(dir: string): Promise<{ keyFile: string; publicKey: string }> {
  const keyFile = join(dir, 'id_ed25519');
  await runCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'ingot-instance', '-f', keyFile]);
  return { keyFile, publicKey: (await readFile(`${keyFile}.pub`, 'utf8')).trim() };
}

export function sshOptions(t: SshTarget): string[] {
  return [
    '-p',
    String(t.port),
    '-i',
    t.keyFile,
    '-o',
    `ControlPath=${t.controlPath}`,
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
  ];
}

/** `ssh ... root@127.0.0.1 -- COMMAND` over the master connection. */
export function sshArgv(t: SshTarget, remoteCommand: string): string[] {
  return ['ssh', ...sshOptions(t), '-o', 'ControlMaster=no', 'root@127.0.0.1', '--', remoteCommand];
}

/** How often a caller waiting for a boot hears that it is still waiting. */
export const BOOT_PROGRESS_EVERY_MS = 10_000;

/**
 * Starts the master connection, retrying while the guest boots. Resolves with the master process
 * once sessions can be opened; rejects after `timeoutMs` or when `alive()` turns false.
 * `onWaiting(elapsedMs)` is called every `everyMs` while no connection is made.
 */
export async function connectMaster(
  t: SshTarget,
  timeoutMs: number,
  alive: () => string | undefined,
  onWaiting?: (elapsedMs: number) => void,
  everyMs = BOOT_PROGRESS_EVERY_MS,
): Promise<StartedCommand> {
  const start = Date.now();
  const deadline = start + timeoutMs;
  let told = 0;
  let lastError = '';
  while (Date.now() < deadline) {
    const dead = alive();
    if (dead) throw new Error(`the VM stopped while booting: ${dead}`);
    const elapsed = Date.now() - start;
    if (onWaiting && elapsed >= (told + 1) * everyMs) {
      told = Math.floor(elapsed / everyMs);
      onWaiting(elapsed);
    }
    // qemu's user-mode network accepts the host-side connection at once, even before the guest's
    // network is up; an ssh started then would wait out its whole ConnectTimeout for a banner that
    // the guest's first SYN, lost, never brings. A cheap probe with a short limit goes first.
    if (!(await sshBanner(t.port, BANNER_PROBE_MS))) {
      lastError = 'no SSH banner yet';
      await sleep(200);
      continue;
    }
    const master = startCommand(
      ['ssh', ...sshOptions(t), '-M', '-N', '-o', 'ControlMaster=yes', '-o', 'ConnectTimeout=5', 'root@127.0.0.1'],
      { stdout: 'ignore', check: false },
    );
    let stderr = '';
    const exited = master.done.then(
      (exit) => void (stderr = exit.stderr),
      (err: Error) => void (stderr = err.message),
    );
    while (master.running()) {
      const check = await runCommand(['ssh', ...sshOptions(t), '-O', 'check', 'root@127.0.0.1'], {
        okCodes: [255],
      }).catch(() => undefined);
      if (check?.exitCode === 0) return master;
      await Promise.race([sleep(100), exited]);
    }
    await exited;
    lastError = stderr.trim();
    // Refused or reset while sshd is not up yet: try again soon (each second here is a second of boot time).
    await sleep(200);
  }
  throw new Error(
    `no SSH connection to the VM within ${Math.round(timeoutMs / 1000)} s${lastError ? ` (last error: ${lastError})` : ''}`,
  );
}

/** How long one probe waits for the guest's SSH banner (a retry, not a failure, when it runs out). */
const BANNER_PROBE_MS = 1000;

/**
 * Whether an SSH server answers on 127.0.0.1:`port` with its identification line ("SSH-2.0-…")
 * within `limitMs`. The probe closes right after the banner, before any key exchange.
 */
export function sshBanner(port: number, limitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let seen = '';
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), limitMs);
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.length >= 4) finish(seen.startsWith('SSH-'));
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}
