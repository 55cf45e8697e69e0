/**
 * @module The sandbox Instance: every exec runs under bubblewrap in fresh namespaces on the
 * instance's root view, inside the instance's cgroup; files persist between execs and reboots.
 */
import { type Confinement, runCommand } from '../../process/index.ts';
import { execProcess } from '../exec-process.ts';
import type { ExecParams, ExecResult, Instance } from '../types.ts';
import { DEFAULT_SANDBOX_ENV, bwrapArgs, findBwrap, launcherArgv } from './bwrap.ts';
import { copyIntoInstance, copyOutOfInstance } from './copy.ts';
import type { SandboxOptions } from './options.ts';
import { teardownRuntime } from './runtime.ts';
import type { SandboxResources } from './setup.ts';

/** Environment of the host-side launcher (bwrap itself), never seen by the step. */
const LAUNCHER_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

export class SandboxInstance implements Instance {
  readonly kind = 'sandbox' as const;
  readonly id: string;
  /** Host directory the instance sees as `/` (in place: the root dir; overlay: the mount). */
  readonly rootDir: string;
  /** What could not be set up as asked (e.g. limits this machine cannot enforce). */
  readonly warnings: readonly string[];
  #res: SandboxResources;
  #options: SandboxOptions;
  #bwrap: string;
  #life = new AbortController();
  #inflight = new Set<Promise<ExecResult>>();
  #closing: Promise<void> | undefined;

  constructor(res: SandboxResources, options: SandboxOptions) {
    this.#res = res;
    this.#options = options;
    this.#bwrap = findBwrap();
    this.id = res.id;
    this.rootDir = res.rootView;
    this.warnings = res.warnings;
  }

  /** The host command line that runs `argv` inside the instance (in its namespaces and cgroup). */
  #launcher(
    argv: readonly string[],
    cwdIn: string | undefined,
    env: Readonly<Record<string, string>> | undefined,
  ): string[] {
    const cwd = cwdIn ? (cwdIn.startsWith('/') ? cwdIn : `/${cwdIn}`) : '/';
    const inner = bwrapArgs(
      {
        rootView: this.#res.rootView,
        tmpDir: this.#res.tmpDir,
        hostname: this.#options.hostname ?? this.id,
        cwd,
        env: { ...DEFAULT_SANDBOX_ENV, ...this.#options.env, ...env },
        ...(this.#res.resolvConfTarget
          ? { resolvConfTarget: this.#res.resolvConfTarget, hostResolvConf: this.#res.resolvConfSource }
          : {}),
        seccomp: this.#res.seccompFile !== undefined,
      },
      argv,
    );
    return launcherArgv(
      {
        procsFiles: this.#res.cgroup?.procsFiles ?? [],
        ...(this.#res.seccompFile ? { seccompFile: this.#res.seccompFile } : {}),
        ...(this.#res.network ? { netnsPath: this.#res.network.netnsPath } : {}),
      },
      [this.#bwrap, ...inner],
    );
  }

  /** Runs `argv` inside the instance attached to this process's terminal (for `ingot shell`, which passes its TERM). */
  interactive(argv: readonly string[], env?: Readonly<Record<string, string>>): Promise<number> {
    if (this.#closing) return Promise.reject(new Error(`sandbox ${this.id} is closed`));
    const launcher = this.#launcher(argv, '/root', { TERM: 'xterm', ...env });
    return runCommand(launcher, { interactive: true, env: LAUNCHER_ENV, cleanEnv: true, check: false }).then(
      (exit) => exit.exitCode ?? (exit.signal ? 128 : 1),
    );
  }

  exec(params: ExecParams): Promise<ExecResult> {
    if (this.#closing) return Promise.reject(new Error(`sandbox ${this.id} is closed`));
    const argv = this.#launcher(params.argv, params.cwd, params.env);
    const signal = params.signal ? AbortSignal.any([params.signal, this.#life.signal]) : this.#life.signal;
    const { cwd: _hostCwd, ...rest } = params;
    const run = execProcess({ ...rest, argv, env: LAUNCHER_ENV, signal });
    this.#inflight.add(run);
    const forget = () => this.#inflight.delete(run);
    run.then(forget, forget);
    return run;
  }

  copyIn(hostPath: string, instancePath: string): Promise<void> {
    if (this.#closing) return Promise.reject(new Error(`sandbox ${this.id} is closed`));
    return copyIntoInstance(this.#res.mappings, hostPath, instancePath);
  }

  copyOut(instancePath: string, hostPath: string, run?: Confinement): Promise<void> {
    if (this.#closing) return Promise.reject(new Error(`sandbox ${this.id} is closed`));
    if (run?.signal?.aborted) return Promise.reject(run.signal.reason);
    return copyOutOfInstance(this.#res.mappings, instancePath, hostPath);
  }

  /** Ends every process of the instance (running execs report `aborted`); files are kept. */
  async reboot(): Promise<void> {
    if (this.#closing) throw new Error(`sandbox ${this.id} is closed`);
    await this.#stopProcesses();
    this.#life = new AbortController();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#stopProcesses();
      await teardownRuntime(this.#res.runtimeDir, this.#res.state);
      this.#res.network?.slirp.kill();
    })();
    return this.#closing;
  }

  async #stopProcesses(): Promise<void> {
    this.#life.abort();
    await this.#res.cgroup?.killAll();
    await Promise.allSettled([...this.#inflight]);
  }
}
