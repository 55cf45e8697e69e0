/**
 * @module OpenSCAP evaluation of an image's file system: `oscap-chroot ROOT xccdf eval --profile P
 * --results-arf … --report … DATASTREAM`, run on a discarded writable overlay of the image's layers.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { IngotError } from '../errors/ingot-error.ts';
import { missingTool } from '../process/index.ts';
import { runOnScratchOverlay } from '../rootfs/scratch-overlay.ts';
import { parseXccdfResults, type XccdfSummary } from './xccdf-results.ts';

export const CIS_LEVEL1_SERVER = 'xccdf_org.ssgproject.content_profile_cis_level1_server';
/** Where a scanner's output directory is inside the scan jail, and its SCAP content. */
export const JAIL_OUT = '/ingot-out';
const JAIL_CONTENT = '/ingot-content';

export const OPENSCAP_FILES = { arf: 'openscap-arf.xml', report: 'openscap-report.html' } as const;

export interface OpenScapOptions {
  /** The image's layers, topmost first (or a single root file system). */
  lowerDirs: readonly string[];
  /** SCAP data stream (see ensureScapContent). */
  datastream: string;
  /** XCCDF profile id (default CIS Level 1 Server). */
  profile?: string;
  /** Where the ARF results and the HTML report go. */
  outDir: string;
  workDir?: string;
  signal?: AbortSignal;
  /** The build's cgroup (`cgroup.procs` files) the scan runs in. */
  cgroupProcs?: readonly string[];
}

export interface OpenScapResult extends XccdfSummary {
  profile: string;
  arfPath: string;
  reportPath: string;
  durationMs: number;
}

/** Why OpenSCAP cannot run here, or undefined. */
export function openScapUnavailable(): string | undefined {
  return missingTool('oscap-chroot', 'oscap')
    ? 'oscap-chroot is not installed (openscap-scanner and openscap-utils; scripts/install-system-deps.sh)'
    : undefined;
}

/** Evaluates the profile; exit codes 0 (all pass) and 2 (some rule failed) are both a finished scan. */
export async function runOpenScap(opts: OpenScapOptions): Promise<OpenScapResult> {
  const missing = openScapUnavailable();
  if (missing) throw new IngotError('unavailable', missing);
  const profile = opts.profile ?? CIS_LEVEL1_SERVER;
  const arfPath = join(opts.outDir, OPENSCAP_FILES.arf);
  const reportPath = join(opts.outDir, OPENSCAP_FILES.report);
  const started = performance.now();
  const run = await runOnScratchOverlay({
    lowerDirs: opts.lowerDirs,
    argv: [
      'oscap-chroot',
      '{ROOT}',
      'xccdf',
      'eval',
      '--profile',
      profile,
      '--results-arf',
      `${JAIL_OUT}/${OPENSCAP_FILES.arf}`,
      '--report',
      `${JAIL_OUT}/${OPENSCAP_FILES.report}`,
      `${JAIL_CONTENT}/${basename(opts.datastream)}`,
    ],
    jail: {
      binds: [
        { hostPath: opts.outDir, jailPath: JAIL_OUT, writable: true },
        { hostPath: dirname(opts.datastream), jailPath: JAIL_CONTENT },
      ],
    },
    ...(opts.cgroupProcs ? { cgroupProcs: opts.cgroupProcs } : {}),
    ...(opts.workDir ? { workDir: opts.workDir } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (run.exitCode !== 0 && run.exitCode !== 2) {
    throw new IngotError(
      'invalid-input',
      `oscap-chroot xccdf eval --profile ${profile} failed (exit ${run.exitCode}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  const summary = parseXccdfResults(await readFile(arfPath, 'utf8'));
  return { profile, arfPath, reportPath, durationMs: Math.round(performance.now() - started), ...summary };
}
