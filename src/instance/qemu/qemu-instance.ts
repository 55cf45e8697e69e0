/**
 * @module The qemu Instance: a VM booted from a disk image through a copy-on-write overlay,
 * driven over SSH (a throwaway key injected by the first-boot seed). SSH rather than a
 * virtio-serial agent: the image ships sshd anyway, and exec, streams, exit codes and tar copies
 * come for free without an agent of our own in every image. `reboot()` really reboots the guest.
 */
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Confinement, runCommand, type StartedCommand } from '../../process/index.ts';
import { execProcess } from '../exec-process.ts';
import type { ExecParams, ExecResult, Instance } from '../types.ts';
import { lastConsoleLine, panicIn } from './console.ts';
import { execCommand, killCommand, newExecId, q, tarOf, untarInto } from './remote.ts';
import { connectMaster, sshArgv, sshOptions, type SshTarget } from './ssh.ts';
import { stopVm, type RunningVm } from './vm.ts';

/** What ssh prints when it could not open a session at all (so the remote command never ran). */
const TRANSPORT_FAILURE =
  /banner exchange|kex_exchange_identification|Connection refused|Control socket connect|mux_client_request_session|Connection closed by 127\.0\.0\.1 port/;

/** ssh's own exit status when the session ended without the remote command's status. */
const SSH_SESSION_CUT = 255;

export class QemuInstance implements Instance {
  readonly kind = 'qemu' as const;
  readonly id: string;
  /** The guest's serial console, kept until close(). */
  readonly consoleLog: string;
  #dir: string;
  #vm: RunningVm;
  #ssh: SshTarget;
  #bootTimeoutMs: number;
  #master: StartedCommand | undefined;
  #connections = 0;
  #life = new AbortController();
  #inflight = new Set<Promise<ExecResult>>();
  #closing: Promise<void> | undefined;

  constructor(id: string, dir: string, vm: RunningVm, ssh: SshTarget, bootTimeoutMs: number) {
    this.id = id;
    this.#dir = dir;
    this.#vm = vm;
    this.#ssh = ssh;
    this.#bootTimeoutMs = bootTimeoutMs;
    this.consoleLog = join(dir, 'console.log');
  }

  /** The host loopback port forwarded to the guest's sshd. */
  get sshPort(): number {
    return this.#ssh.port;
  }

  /** The instance's own (throwaway) private key, valid while it runs. */
  get keyFile(): string {
    return this.#ssh.keyFile;
  }

  /**
   * Runs `command` in the guest's login shell (as `ssh HOST COMMAND` does), or an interactive
   * login shell without one, attached to this process's terminal; resolves with its exit status.
   */
  interactive(command?: string): Promise<number> {
    if (this.#closing) return Promise.reject(new Error(`qemu instance ${this.id} is closed`));
    const argv = [
      'ssh',
      ...sshOptions(this.#ssh),
      '-o',
      'ControlMaster=no',
      process.stdin.isTTY ? '-t' : '-T',
      'root@127.0.0.1',
      ...(command ? ['--', command] : []),
    ];
    return runCommand(argv, { interactive: true, check: false }).then(
      (exit) => exit.exitCode ?? (exit.signal ? 128 : 1),
    );
  }

  /**
   * Waits for SSH (the guest booted and ran its first-boot unit). `onProgress` hears every 10 s of
   * waiting, with the console's last line (a boot under TCG takes half a minute or more).
   */
  async connect(onProgress?: (line: string) => void): Promise<void> {
    // A fresh socket path per connection: a killed master leaves its socket file behind.
    this.#ssh = { ...this.#ssh, controlPath: join(this.#dir, `ssh-${++this.#connections}.ctl`) };
    this.#master = await connectMaster(
      this.#ssh,
      this.#bootTimeoutMs,
      () => this.#vm.exitReason() ?? panicIn(this.consoleLog),
      onProgress &&
        ((ms) => {
          const last = lastConsoleLine(this.consoleLog);
          onProgress(`no SSH yet after ${Math.round(ms / 1000)} s${last ? `; console: ${last}` : ''}`);
        }),
    );
  }

  exec(params: ExecParams): Promise<ExecResult> {
    if (this.#closing) return Promise.reject(new Error(`qemu instance ${this.id} is closed`));
    const run = this.#execReconnecting(params);
    this.#inflight.add(run);
    const forget = () => this.#inflight.delete(run);
    run.then(forget, forget);
    return run;
  }

  /**
   * An exec whose SSH session could not even start (the guest's sshd still starting or restarting
   * after a boot, a master connection that died: see TRANSPORT_FAILURE) gets a new master connection
   * and another try; the command had not run, so trying again runs it once. Slow boots under load
   * made the first session after a reboot fail this way.
   */
  async #execReconnecting(params: ExecParams): Promise<ExecResult> {
    for (let attempt = 1; ; attempt++) {
      const r = await this.#exec(params);
      const transient = r.exitCode === SSH_SESSION_CUT && !r.timedOut && !r.aborted && TRANSPORT_FAILURE.test(r.stderr);
      if (!transient || attempt >= 3 || this.#closing) return r;
      await sleep(1000);
      const stale = this.#master;
      stale?.kill();
      await stale?.done.catch(() => {});
      await this.connect();
    }
  }

  async #exec(params: ExecParams): Promise<ExecResult> {
    const id = newExecId();
    const local = new AbortController();
    let timedOut = false;
    let aborted = false;
    const stop = async (why: 'timeout' | 'abort', remote: boolean) => {
      if (why === 'timeout') timedOut = true;
      else aborted = true;
      if (remote) await runCommand(sshArgv(this.#ssh, killCommand(id)), { okCodes: [255] }).catch(() => {});
      local.abort();
    };
    const timer =
      params.timeoutMs === undefined ? undefined : setTimeout(() => void stop('timeout', true), params.timeoutMs);
    const onAbort = () => void stop('abort', true);
    const onLifeEnd = () => void stop('abort', false);
    params.signal?.addEventListener('abort', onAbort, { once: true });
    this.#life.signal.addEventListener('abort', onLifeEnd, { once: true });
    if (params.signal?.aborted) onAbort();
    try {
      const command = execCommand(id, params.argv, params.env ?? {}, params.cwd ?? '/');
      const r = await execProcess({ argv: sshArgv(this.#ssh, command), signal: local.signal, ...pick(params) });
      return { ...r, exitCode: timedOut || aborted ? (r.exitCode ?? 137) || 137 : r.exitCode, timedOut, aborted };
    } finally {
      if (timer) clearTimeout(timer);
      params.signal?.removeEventListener('abort', onAbort);
      this.#life.signal.removeEventListener('abort', onLifeEnd);
    }
  }

  async copyIn(hostPath: string, instancePath: string): Promise<void> {
    const remote = sshArgv(this.#ssh, untarInto(instancePath, basename(hostPath)))
      .map(q)
      .join(' ');
    await runCommand(['sh', '-c', `tar -C ${q(dirname(hostPath))} -cf - ${q(basename(hostPath))} | ${remote}`]);
  }

  async copyOut(instancePath: string, hostPath: string, run: Confinement = {}): Promise<void> {
    const tmp = await mkdtemp(join(dirname(hostPath), '.ingot-copy-'));
    try {
      const remote = sshArgv(this.#ssh, tarOf(instancePath)).map(q).join(' ');
      await runCommand(
        [
          'sh',
          '-c',
          `${remote} | tar -C ${q(tmp)} -xpf - && rm -rf ${q(hostPath)} && mv ${q(join(tmp, basename(instancePath)))} ${q(hostPath)}`,
        ],
        // Its own process group: a cancel ends ssh and tar, not only the shell.
        { ...run, group: true },
      );
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Reboots the guest (systemctl reboot) and waits until SSH answers from a new boot. */
  async reboot(): Promise<void> {
    if (this.#closing) throw new Error(`qemu instance ${this.id} is closed`);
    const before = await this.#bootId();
    const asked = await this.exec({ argv: ['systemctl', 'reboot', '--no-block'] });
    // 255 is ssh's own status: the shutdown cut the session before systemctl's status came back.
    // The reboot was asked for; the wait below tells whether a new boot followed.
    if (asked.exitCode !== 0 && asked.exitCode !== SSH_SESSION_CUT)
      throw new Error(
        `qemu instance ${this.id}: systemctl reboot failed (exit ${asked.exitCode}): ${asked.stderr.trim()}`,
      );
    await this.#endSessions();
    const deadline = Date.now() + this.#bootTimeoutMs;
    while (Date.now() < deadline) {
      await this.connect();
      // An empty id is a session cut by the shutdown (the old sshd still answered): not a new boot.
      const now = await this.#bootId();
      if (now && now !== before) return;
      await this.#endSessions();
      await sleep(1000);
    }
    throw new Error(
      `qemu instance ${this.id} did not come back from the reboot within ${this.#bootTimeoutMs / 1000} s`,
    );
  }

  /**
   * Stops the VM and removes its files; `keepDiskAs` first flushes the guest's page cache (qemu is
   * killed, not shut down) and moves its disk (the qcow2 overlay) there.
   */
  close(opts: { keepDiskAs?: string } = {}): Promise<void> {
    const flushed =
      opts.keepDiskAs && !this.#closing && !this.#vm.exitReason()
        ? this.exec({ argv: ['sync'], timeoutMs: 60_000 }).catch(() => undefined)
        : Promise.resolve(undefined);
    this.#closing ??= (async () => {
      await flushed;
      await this.#endSessions();
      await stopVm(this.#vm);
      if (opts.keepDiskAs) await rename(join(this.#dir, 'overlay.qcow2'), opts.keepDiskAs);
      await rm(this.#dir, { recursive: true, force: true });
    })();
    return this.#closing;
  }

  async #bootId(): Promise<string> {
    const r = await this.exec({ argv: ['cat', '/proc/sys/kernel/random/boot_id'] });
    return r.exitCode === 0 ? r.stdout.trim() : '';
  }

  /** Ends running execs (they report aborted) and the SSH master connection. */
  async #endSessions(): Promise<void> {
    this.#life.abort();
    await Promise.allSettled([...this.#inflight]);
    this.#life = new AbortController();
    const master = this.#master;
    this.#master = undefined;
    if (master) {
      master.kill();
      await master.done.catch(() => {});
    }
  }
}

function pick(p: ExecParams): Pick<ExecParams, 'stdin' | 'onStdout' | 'onStderr'> {
  return {
    ...(p.stdin !== undefined ? { stdin: p.stdin } : {}),
    ...(p.onStdout ? { onStdout: p.onStdout } : {}),
    ...(p.onStderr ? { onStderr: p.onStderr } : {}),
  };
}
