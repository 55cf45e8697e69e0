/**
 * @module Runs a scanner against an image's layers through a writable overlay that is thrown away: the
 * scanners write into the tree they scan (OpenSCAP's dpkg probe rebuilds apt's cache files), and the
 * layers (a shared base, a cached layer) must never change. The mount lives in a private mount
 * namespace (`unshare -m`), so it cannot outlive the process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngotError } from '../errors/ingot-error.ts';

export const ROOT_PLACEHOLDER = '{ROOT}';

const SCRIPT = `set -e
mount -t overlay overlay -o "lowerdir=$LOWER,upperdir=$UPPER,workdir=$WORK" "$MERGED"
args=()
for a in "$@"; do args+=("\${a//'${ROOT_PLACEHOLDER}'/$MERGED}"); done
exec "\${args[@]}"`;

export interface ScratchRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ScratchRunOptions {
  /** The image's layers, topmost first (a plain root file system is one layer). */
  lowerDirs: readonly string[];
  /** argv; `{ROOT}` anywhere in an element becomes the merged root's path. */
  argv: readonly string[];
  workDir?: string;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs `argv` with `{ROOT}` replaced by a writable, discarded overlay of `lowerDirs`. */
export async function runOnScratchOverlay(opts: ScratchRunOptions): Promise<ScratchRunResult> {
  if (process.getuid?.() !== 0)
    throw new IngotError('AccessDeniedException', 'compliance scans mount an overlay of the image and need root');
  const base = await mkdtemp(join(opts.workDir ?? tmpdir(), 'ingot-scan-'));
  const env = {
    LOWER: opts.lowerDirs.join(':'),
    UPPER: join(base, 'upper'),
    WORK: join(base, 'work'),
    MERGED: join(base, 'merged'),
  };
  try {
    await Promise.all(
      [env.UPPER, env.WORK, env.MERGED].map((d) => import('node:fs/promises').then((fs) => fs.mkdir(d))),
    );
    return await new Promise<ScratchRunResult>((resolve, reject) => {
      const child = spawn('unshare', ['-m', '--propagation', 'private', 'bash', '-c', SCRIPT, 'bash', ...opts.argv], {
        env: { ...process.env, ...opts.env, ...env },
        cwd: opts.cwd ?? base,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(opts.timeoutMs ? { timeout: opts.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        if (stdout.length < 4e6) stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < 4e6) stderr += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr }));
    });
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
