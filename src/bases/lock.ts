/**
 * @module An exclusive lock on a file, held by a util-linux `flock` child for as long as `fn` runs.
 * The kernel releases it when the holder dies, so a crashed bootstrap never leaves a stale lock,
 * and concurrent callers (in this or another process) never bootstrap the same base twice.
 */
import { type CommandFailed, startCommand } from '../process/index.ts';

export interface LockOptions {
  /** Give up after this long (default 15 minutes: a bootstrap can be slow). */
  timeoutMs?: number;
  /** Called once if the lock is busy and this caller has to wait. */
  onWait?: () => void;
}

/** Runs `fn` while holding an exclusive lock on `path` (created if missing). */
export async function withLock<T>(path: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const seconds = String(Math.max(1, Math.ceil((opts.timeoutMs ?? 15 * 60_000) / 1000)));
  // flock takes the lock, says so, then holds it until its standard input closes.
  const holder = startCommand(
    ['flock', '--exclusive', '--wait', seconds, path, '/bin/sh', '-c', 'echo locked; exec cat >/dev/null'],
    { stdin: 'pipe', stdout: 'stream' },
  );
  const waitHint = setTimeout(() => opts.onWait?.(), 300);
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.once('data', () => resolve());
      holder.done.then(
        (exit) => reject(new Error(`cannot lock ${path} (flock exit ${exit.exitCode}): timed out`)),
        (err: CommandFailed) =>
          reject(
            err.startError ??
              new Error(`cannot lock ${path} (flock exit ${err.exitCode}): ${err.stderrTail || 'timed out'}`),
          ),
      );
    });
  } finally {
    clearTimeout(waitHint);
  }
  try {
    return await fn();
  } finally {
    holder.stdin!.end();
    await holder.done.catch(() => {});
  }
}
