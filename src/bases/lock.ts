/**
 * @module An exclusive lock on a file, held by a util-linux `flock` child for as long as `fn` runs.
 * The kernel releases it when the holder dies, so a crashed bootstrap never leaves a stale lock,
 * and concurrent callers (in this or another process) never bootstrap the same base twice.
 */
import { spawn } from 'node:child_process';

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
  const holder = spawn(
    'flock',
    ['--exclusive', '--wait', seconds, path, '/bin/sh', '-c', 'echo locked; exec cat >/dev/null'],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const waitHint = setTimeout(() => opts.onWait?.(), 300);
  try {
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      holder.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      holder.stdout.once('data', () => resolve());
      holder.once('error', reject);
      holder.once('exit', (code) =>
        reject(new Error(`cannot lock ${path} (flock exit ${code}): ${stderr.trim() || 'timed out'}`)),
      );
    });
  } finally {
    clearTimeout(waitHint);
  }
  try {
    return await fn();
  } finally {
    const gone = new Promise((resolve) => holder.once('exit', resolve));
    holder.stdin.end();
    await gone;
  }
}
