/**
 * @module The per-build disk quota: a watcher measures the build's work directory (its component
 * layers' upper dirs, layer tarballs, scratch disks) with `du -sx` every few seconds and, past the
 * quota, aborts the build, which then fails with `BuildDiskQuotaExceeded` naming the stage and the
 * directory that holds the most. Polling rather than a size-limited mount: it needs no loop device
 * or RAM, leaves nothing mounted after a crash, and keeps the work dir on INGOT_HOME's file system
 * (hard links and renames into the cache and outputs keep working); the price is an overshoot of at
 * most one interval's writes.
 */
import { runCommand } from '../process/index.ts';
import { BuildFailure } from './failure.ts';

/** A stage wrote more into the build's work directory than its quota allows. */
export class BuildDiskQuotaExceeded extends BuildFailure {
  /** The directory inside the work directory that holds the most. */
  readonly path: string;
  constructor(stage: string, usedBytes: number, quotaBytes: number, path: string) {
    const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;
    super(
      stage,
      `the build's disk use (${gib(usedBytes)}, most of it in ${path}) passed its quota of ${gib(quotaBytes)} (INGOT_BUILD_DISK_QUOTA_GIB, or the infrastructure configuration's ingot:disk-quota-gib tag)`,
    );
    this.name = 'BuildDiskQuotaExceeded';
    this.path = path;
  }
}

export interface QuotaWatch {
  /** Aborted once the quota was passed. */
  readonly signal: AbortSignal;
  /** The measurement that passed the quota (undefined until then). */
  exceeded(): { usedBytes: number; path: string } | undefined;
  stop(): void;
}

/** Bytes used below `dir` on its own file system (hard links counted once). */
export async function diskUsage(dir: string): Promise<number> {
  const r = await runCommand(['du', '-sx', '-B1', dir], { check: false });
  return Number(r.stdout.split('\t')[0]) || 0;
}

/** The deepest directory (up to 3 levels below `dir`) that holds more than half of what `dir` holds. */
async function biggestPath(dir: string): Promise<string> {
  const r = await runCommand(['du', '-x', '-B1', '-d', '3', dir], { check: false });
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split('\t'))
    .map(([n, p]) => ({ bytes: Number(n) || 0, path: p ?? dir }));
  const total = rows.find((x) => x.path === dir)?.bytes ?? 0;
  const big = rows.filter((x) => x.bytes * 2 > total).sort((a, b) => b.path.length - a.path.length);
  return big[0]?.path ?? dir;
}

/** Watches `dir` against `quotaBytes` every `intervalMs` (at least ten times as long as a measurement takes). */
export function watchDiskQuota(dir: string, quotaBytes: number, intervalMs = 3000): QuotaWatch {
  const abort = new AbortController();
  let found: { usedBytes: number; path: string } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    const started = performance.now();
    const used = await diskUsage(dir).catch(() => 0);
    if (stopped) return;
    if (used > quotaBytes) {
      found = { usedBytes: used, path: await biggestPath(dir).catch(() => dir) };
      abort.abort(new Error('disk quota exceeded'));
      return;
    }
    timer = setTimeout(tick, Math.max(intervalMs, 10 * (performance.now() - started)));
    timer.unref();
  };
  timer = setTimeout(tick, intervalMs);
  timer.unref();
  return {
    signal: abort.signal,
    exceeded: () => found,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
