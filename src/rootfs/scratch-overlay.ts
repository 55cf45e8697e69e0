/**
 * @module Runs a scanner against an image's layers through a writable overlay that is thrown away: the
 * scanners write into the tree they scan (OpenSCAP's dpkg probe rebuilds apt's cache files), and the
 * layers (a shared base, a cached layer) must never change. With `jail` the scanner runs chrooted in
 * the scan jail (`scan-jail.ts`), with `cgroupProcs` inside the build's cgroup.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngotError } from '../errors/ingot-error.ts';
import { withMergedLayers } from './merge-layers.ts';
import { JAIL_IMAGE, jailCommand, type JailOptions } from './scan-jail.ts';

export const ROOT_PLACEHOLDER = '{ROOT}';

export interface ScratchRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ScratchRunOptions {
  /** The image's layers, topmost first (a plain root file system is one layer). */
  lowerDirs: readonly string[];
  /** argv; `{ROOT}` anywhere in an element becomes the merged root's path (`/image` in a jail). */
  argv: readonly string[];
  workDir?: string;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** Aborting kills the scanner (and so its mount namespace) at once. */
  signal?: AbortSignal;
  /** The build's cgroup (`cgroup.procs` files): the scanner and all it forks count against its limits. */
  cgroupProcs?: readonly string[];
  /** Run the scanner in the scan jail: argv paths (other than `{ROOT}`) are paths inside the jail. */
  jail?: JailOptions;
}

/** Runs `argv` with `{ROOT}` replaced by a writable, discarded overlay of `lowerDirs`; never rejects for its exit. */
export async function runOnScratchOverlay(opts: ScratchRunOptions): Promise<ScratchRunResult> {
  if (process.getuid?.() !== 0)
    throw new IngotError('needs-root', 'compliance scans mount an overlay of the image and need root');
  const jailDir = opts.jail ? await mkdtemp(join(opts.workDir ?? tmpdir(), 'ingot-jail-')) : undefined;
  const tool = opts.argv.map((a) => a.replaceAll(ROOT_PLACEHOLDER, opts.jail ? JAIL_IMAGE : '{ROOT}'));
  const jailed = jailDir && opts.jail ? jailCommand(jailDir, tool, opts.jail) : undefined;
  try {
    const exit = await withMergedLayers(
      opts.lowerDirs,
      {
        writable: true,
        check: false,
        maxCapture: 4e6,
        group: true,
        ...(opts.workDir ? { scratchDir: opts.workDir } : {}),
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.cgroupProcs?.length ? { cgroupProcs: opts.cgroupProcs } : {}),
        label: tool.slice(0, 3).join(' '),
        env: { ...opts.env, ...jailed?.env },
      },
      (root) => jailed?.argv ?? tool.map((a) => a.replaceAll(ROOT_PLACEHOLDER, root)),
    );
    return { exitCode: exit.exitCode ?? (exit.signal ? 128 : 1), stdout: exit.stdout, stderr: exit.stderr };
  } finally {
    if (jailDir) await rm(jailDir, { recursive: true, force: true });
  }
}
