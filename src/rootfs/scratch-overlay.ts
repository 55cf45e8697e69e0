/**
 * @module Runs a scanner against an image's layers through a writable overlay that is thrown away: the
 * scanners write into the tree they scan (OpenSCAP's dpkg probe rebuilds apt's cache files), and the
 * layers (a shared base, a cached layer) must never change.
 */
import { IngotError } from '../errors/ingot-error.ts';
import { withMergedLayers } from './merge-layers.ts';

export const ROOT_PLACEHOLDER = '{ROOT}';

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
  /** Aborting kills the scanner (and so its mount namespace) at once. */
  signal?: AbortSignal;
}

/** Runs `argv` with `{ROOT}` replaced by a writable, discarded overlay of `lowerDirs`; never rejects for its exit. */
export async function runOnScratchOverlay(opts: ScratchRunOptions): Promise<ScratchRunResult> {
  if (process.getuid?.() !== 0)
    throw new IngotError('needs-root', 'compliance scans mount an overlay of the image and need root');
  const exit = await withMergedLayers(
    opts.lowerDirs,
    {
      writable: true,
      check: false,
      maxCapture: 4e6,
      ...(opts.workDir ? { scratchDir: opts.workDir } : {}),
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
    (root) => opts.argv.map((a) => a.replaceAll(ROOT_PLACEHOLDER, root)),
  );
  return { exitCode: exit.exitCode ?? (exit.signal ? 128 : 1), stdout: exit.stdout, stderr: exit.stderr };
}
