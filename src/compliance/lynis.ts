/**
 * @module Lynis 3.x audit of an image's file system (`lynis audit system --rootdir ROOT/ --quick --no-colors
 * --logfile … --report-file …`) on a discarded writable overlay; the hardening index from the report.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IngotError } from '../errors/ingot-error.ts';
import { hasTool } from '../process/index.ts';
import { JAIL_OUT } from './openscap.ts';
import { runOnScratchOverlay } from '../rootfs/scratch-overlay.ts';

export const LYNIS_FILES = { report: 'lynis-report.dat', log: 'lynis.log', profile: 'lynis-ingot.prf' } as const;

/**
 * Tests skipped in image scans: they look at the scanning host, not the image (running processes,
 * certificates anywhere on the host) and take minutes on a busy machine.
 */
export const LYNIS_SKIPPED_TESTS = ['CRYP-7902', 'NETW-2600', 'PKGS-7345', 'PROC-3612', 'PROC-3614'];

/**
 * Lynis test groups that look at an image's own configuration files: a faster, image-only audit for
 * `testGroups`. Left out: groups about the scanning host's processes, services and network, and
 * kernel_hardening (it compares the running kernel's sysctl values, i.e. the host's).
 */
export const LYNIS_IMAGE_GROUPS = [
  'authentication',
  'shells',
  'filesystems',
  'usb',
  'storage',
  'ssh',
  'banners',
  'accounting',
  'mac_frameworks',
  'file_permissions',
  'hardening',
] as const;

export interface LynisOptions {
  lowerDirs: readonly string[];
  /** Lynis test groups (`--tests-from-group`); default all of them. The hardening index covers only the tests run. */
  testGroups?: readonly string[];
  outDir: string;
  workDir?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The build's cgroup (`cgroup.procs` files) the audit runs in. */
  cgroupProcs?: readonly string[];
}

export interface LynisResult {
  hardeningIndex: number;
  /** `all`, or the test groups the index covers. */
  testGroups: string;
  testsPerformed: number;
  warnings: number;
  suggestions: number;
  lynisVersion: string;
  reportPath: string;
  logPath: string;
  durationMs: number;
}

export function lynisUnavailable(): string | undefined {
  return hasTool('lynis') ? undefined : 'lynis is not installed (scripts/install-system-deps.sh)';
}

/** key=value lines of a Lynis report (`key[]=` lines are counted). */
export function parseLynisReport(
  text: string,
): Pick<LynisResult, 'hardeningIndex' | 'testsPerformed' | 'warnings' | 'suggestions' | 'lynisVersion'> {
  const value = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1]?.trim();
  const count = (k: string) => text.split('\n').filter((l) => l.startsWith(`${k}[]=`)).length;
  const index = Number(value('hardening_index'));
  if (!Number.isFinite(index))
    throw new IngotError('internal', 'the Lynis report has no hardening_index (the audit did not finish)');
  return {
    hardeningIndex: index,
    testsPerformed: Number(value('lynis_tests_done') ?? NaN) || count('tests_executed') || 0,
    warnings: count('warning'),
    suggestions: count('suggestion'),
    lynisVersion: value('lynis_version') ?? 'unknown',
  };
}

/** Runs the audit; Lynis exits 0 even with warnings, so only a report without an index is a failure. */
export async function runLynis(opts: LynisOptions): Promise<LynisResult> {
  const missing = lynisUnavailable();
  if (missing) throw new IngotError('unavailable', missing);
  const reportPath = join(opts.outDir, LYNIS_FILES.report);
  const logPath = join(opts.outDir, LYNIS_FILES.log);
  const profilePath = join(opts.outDir, LYNIS_FILES.profile);
  await writeFile(profilePath, LYNIS_SKIPPED_TESTS.map((t) => `skip-test=${t}\n`).join(''));
  const started = performance.now();
  const run = await runOnScratchOverlay({
    lowerDirs: opts.lowerDirs,
    argv: [
      'lynis',
      'audit',
      'system',
      '--rootdir',
      '{ROOT}/',
      '--quick',
      '--no-colors',
      '--no-plugins',
      '--profile',
      `${JAIL_OUT}/${LYNIS_FILES.profile}`,
      '--logfile',
      `${JAIL_OUT}/${LYNIS_FILES.log}`,
      '--report-file',
      `${JAIL_OUT}/${LYNIS_FILES.report}`,
      ...(opts.testGroups?.length ? ['--tests-from-group', opts.testGroups.join(' ')] : []),
    ],
    ...(opts.workDir ? { workDir: opts.workDir } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.cgroupProcs ? { cgroupProcs: opts.cgroupProcs } : {}),
    jail: { binds: [{ hostPath: opts.outDir, jailPath: JAIL_OUT, writable: true }] },
    timeoutMs: opts.timeoutMs ?? 15 * 60_000,
  });
  const report = await readFile(reportPath, 'utf8').catch(() => '');
  if (!report)
    throw new IngotError(
      'internal',
      `lynis wrote no report (exit ${run.exitCode}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  const testGroups = opts.testGroups?.length ? opts.testGroups.join(' ') : 'all';
  return {
    ...parseLynisReport(report),
    testGroups,
    reportPath,
    logPath,
    durationMs: Math.round(performance.now() - started),
  };
}
