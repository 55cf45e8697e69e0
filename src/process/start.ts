/**
 * @module The one place Ingot spawns a host process: output captured (bounded) and streamed line by line,
 * a timeout and an AbortSignal that kill the process (its whole process group with `group`), and a `done`
 * promise that settles with how it ended or rejects with CommandFailed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { CommandFailed, type CommandExit } from './command-failed.ts';

export interface StartOptions {
  /** Added to this process's environment (or, with `cleanEnv`, the whole environment). */
  env?: Readonly<Record<string, string>>;
  cleanEnv?: boolean;
  cwd?: string;
  /** `pipe`: the caller writes `stdin`; `inherit`: all three streams are this process's terminal. */
  stdin?: 'ignore' | 'pipe' | 'inherit';
  /** `capture` (default): collected into the result; `stream`: the caller reads `stdout`; `ignore`. */
  stdout?: 'capture' | 'stream' | 'ignore';
  /** Kill the process (its group with `group`) after this many milliseconds. */
  timeoutMs?: number;
  /** Aborting kills the process (its group with `group`). */
  signal?: AbortSignal;
  /** Run in its own process group and kill the whole group (daemonised leftovers too) when it ends. */
  group?: boolean;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Every complete output line (both streams), e.g. for the build log. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Exit codes that count as success besides 0. */
  okCodes?: readonly number[];
  /** false: `done` resolves however the command ended (it still rejects when it cannot start). */
  check?: boolean;
  /** Keep at most this many characters of each stream (default 16 Mi; streaming callbacks see everything). */
  maxCapture?: number;
  /**
   * `cgroup.procs` files (one per hierarchy) the process writes its own pid to before it execs the
   * command, so it and everything it forks count against that cgroup's limits from the first instruction.
   */
  cgroupProcs?: readonly string[];
  /** What a CommandFailed message calls the command, e.g. `tar of DIR` (default: its first three words). */
  label?: string;
  /** Applied to argv and output text before they go into a CommandFailed (e.g. to hide credentials). */
  redact?: (text: string) => string;
}

export interface StartedCommand {
  readonly pid: number | undefined;
  readonly stdin: Writable | null;
  /** Only with `stdout: 'stream'`. */
  readonly stdout: Readable | null;
  readonly done: Promise<CommandExit>;
  /** True until the process has exited. */
  running(): boolean;
  /** SIGKILL to the process (or its group). */
  kill(): void;
}

const DEFAULT_CAPTURE = 16 * 1024 * 1024;

// Joins every cgroup named before `--` (exit 125 when one refuses), then execs the rest.
const JOIN_CGROUP = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

export function startCommand(command: readonly string[], opts: StartOptions = {}): StartedCommand {
  if (!command[0]) throw new TypeError('startCommand: empty argv');
  const argv = opts.cgroupProcs?.length
    ? ['sh', '-c', JOIN_CGROUP, 'ingot-cgroup-join', ...opts.cgroupProcs, '--', ...command]
    : command;
  const [file = '', ...args] = argv;
  const redact = opts.redact ?? ((s: string) => s);
  const inherit = opts.stdin === 'inherit';
  const child: ChildProcess = spawn(file, args, {
    cwd: opts.cwd,
    env: opts.cleanEnv ? { ...opts.env } : { ...process.env, ...opts.env },
    stdio: inherit ? 'inherit' : [opts.stdin ?? 'ignore', opts.stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
    detached: opts.group ?? false,
  });
  const max = opts.maxCapture ?? DEFAULT_CAPTURE;
  const out = { stdout: '', stderr: '' };
  let timedOut = false;
  let aborted = false;
  let exited = false;
  const kill = () => {
    if (exited || child.pid === undefined) return;
    try {
      if (opts.group) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const collect = (stream: Readable | null, name: 'stdout' | 'stderr', onChunk?: (c: string) => void) => {
    if (!stream) return;
    stream.setEncoding('utf8');
    let partial = '';
    stream.on('data', (c: string) => {
      if (out[name].length < max) out[name] += c;
      onChunk?.(c);
      if (!opts.onLine) return;
      const lines = (partial + c).split('\n');
      partial = lines.pop()!;
      for (const line of lines) opts.onLine(line, name);
    });
    stream.on('end', () => partial && opts.onLine?.(partial, name));
  };
  if (opts.stdout !== 'stream') collect(child.stdout, 'stdout', opts.onStdout);
  collect(child.stderr, 'stderr', opts.onStderr);
  child.stdin?.on('error', () => {}); // the process may exit without reading its input

  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          kill();
        }, opts.timeoutMs);
  const onAbort = () => {
    aborted = true;
    kill();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const failed = (exit: CommandExit, startError?: NodeJS.ErrnoException) =>
    new CommandFailed({
      ...exit,
      stdout: redact(exit.stdout),
      stderr: redact(exit.stderr),
      argv: command.map(redact),
      ...(startError ? { startError } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.label !== undefined ? { label: redact(opts.label) } : {}),
    });
  const done = new Promise<CommandExit>((resolve, reject) => {
    const settle = () => {
      exited = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      settle();
      const exit = { exitCode: null, signal: null, ...out, timedOut, aborted };
      reject(failed(exit, err));
    });
    child.on('close', (code, signal) => {
      // Children that outlived the leader (daemonised) still belong to the group: end them too.
      if (opts.group) kill();
      settle();
      const exit = { exitCode: code, signal, ...out, timedOut, aborted };
      const ok = !timedOut && !aborted && code !== null && (code === 0 || !!opts.okCodes?.includes(code));
      if (ok || opts.check === false) resolve(exit);
      else reject(failed(exit));
    });
  });
  done.catch(() => {}); // a caller that stops early (kill) need not await it
  return {
    pid: child.pid,
    stdin: child.stdin ?? null,
    stdout: opts.stdout === 'stream' ? child.stdout : null,
    done,
    running: () => !exited && child.exitCode === null && child.signalCode === null,
    kill,
  };
}
