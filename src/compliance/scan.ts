/**
 * @module One call for the build: OpenSCAP (CIS profile) and Lynis over an image's layers, writing
 * `compliance/` (ARF results, HTML report, Lynis report and log, scores.json) into the output directory.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runLynis, lynisUnavailable, type LynisResult } from './lynis.ts';
import { CIS_LEVEL1_SERVER, openScapUnavailable, runOpenScap, type OpenScapResult } from './openscap.ts';
import { ensureScapContent } from './scap-content.ts';
import type { RuleResult } from './xccdf-results.ts';

export interface ComplianceScanOptions {
  /** The image's layers, topmost first (BuildResult.lowerDirs), or one root file system directory. */
  lowerDirs: readonly string[];
  /** The build's output directory; results go to `<outputDir>/compliance/`. */
  outputDir: string;
  /** For the SCAP content cache (`<ingotHome>/scap/`). */
  ingotHome: string;
  /** XCCDF profile (default CIS Level 1 Server). */
  profile?: string;
  /** Lynis test groups (default all; LYNIS_IMAGE_GROUPS for a faster image-only audit). */
  lynisTestGroups?: readonly string[];
  /** Which scanners to run (default both). */
  scanners?: ReadonlyArray<'openscap' | 'lynis'>;
  workDir?: string;
  /** The build's abort signal: cancelling kills the scanners. */
  signal?: AbortSignal;
  /** The build's reader cgroup (`cgroup.procs` files): the scanners run under its limits. */
  cgroupProcs?: readonly string[];
}

export interface ComplianceScores {
  openscap?: Omit<OpenScapResult, 'rules' | 'arfPath' | 'reportPath'> & {
    failedRules: string[];
    arf: string;
    report: string;
  };
  lynis?: Omit<LynisResult, 'reportPath' | 'logPath'> & { report: string; log: string };
  /** Scanners that did not run, with the reason (tool missing, content unavailable, scan error). */
  skipped: Record<string, string>;
}

const failedRules = (rules: RuleResult[]) => rules.filter((r) => r.result === 'fail').map((r) => r.rule);

/** Runs the scanners (in parallel) and writes `compliance/scores.json`; a scanner that cannot run is listed in `skipped`. */
export async function runComplianceScans(opts: ComplianceScanOptions): Promise<ComplianceScores & { dir: string }> {
  const dir = join(opts.outputDir, 'compliance');
  await mkdir(dir, { recursive: true });
  const scanners = opts.scanners ?? ['openscap', 'lynis'];
  const scores: ComplianceScores = { skipped: {} };
  const work = {
    ...(opts.workDir ? { workDir: opts.workDir } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.cgroupProcs ? { cgroupProcs: opts.cgroupProcs } : {}),
  };
  const openscap = async () => {
    const missing = openScapUnavailable();
    if (missing) return void (scores.skipped.openscap = missing);
    const datastream = await ensureScapContent({ ingotHome: opts.ingotHome });
    const r = await runOpenScap({
      lowerDirs: opts.lowerDirs,
      datastream,
      profile: opts.profile ?? CIS_LEVEL1_SERVER,
      outDir: dir,
      ...work,
    });
    const { rules, arfPath, reportPath, ...rest } = r;
    scores.openscap = {
      ...rest,
      failedRules: failedRules(rules),
      arf: 'compliance/openscap-arf.xml',
      report: 'compliance/openscap-report.html',
    };
    await writeFile(join(dir, 'openscap-rules.json'), `${JSON.stringify(rules, null, 1)}\n`);
  };
  const lynis = async () => {
    const missing = lynisUnavailable();
    if (missing) return void (scores.skipped.lynis = missing);
    const { reportPath, logPath, ...rest } = await runLynis({
      lowerDirs: opts.lowerDirs,
      outDir: dir,
      ...work,
      ...(opts.lynisTestGroups ? { testGroups: opts.lynisTestGroups } : {}),
    });
    scores.lynis = { ...rest, report: 'compliance/lynis-report.dat', log: 'compliance/lynis.log' };
  };
  const jobs = { openscap, lynis };
  await Promise.all(
    scanners.map((name) =>
      jobs[name]().catch((err: unknown) => {
        scores.skipped[name] = err instanceof Error ? err.message : String(err);
      }),
    ),
  );
  await writeFile(join(dir, 'scores.json'), `${JSON.stringify(scores, null, 2)}\n`);
  return { ...scores, dir };
}
