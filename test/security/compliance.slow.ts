/**
 * @module The slow compliance case: the debian-12 base scored by OpenSCAP (CIS Level 1 Server, SSG content
 * for Debian 12) and Lynis, before and after the cis-debian-level1-server component ran in a sandbox over it.
 * The two images are scanned in parallel; Lynis runs its image-only test groups to stay within minutes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedTestBase } from '../helpers/test-base.ts';
import { LYNIS_IMAGE_GROUPS } from '../../src/compliance/lynis.ts';
import { openScapUnavailable } from '../../src/compliance/openscap.ts';
import { ensureScapContent } from '../../src/compliance/scap-content.ts';
import { runComplianceScans, type ComplianceScores } from '../../src/compliance/scan.ts';
import { createSandboxInstance } from '../../src/instance/sandbox/index.ts';
import { parseComponentDocument } from '../../src/toe/document/index.ts';
import { runComponentDocuments } from '../../src/toe/executor/index.ts';
import { findManagedComponent } from '../../src/toe/managed/index.ts';
import { baseUnavailable, toolMissing } from './helpers.ts';

/** SCAP content is fetched once per machine and kept here (override with INGOT_TEST_SCAP_HOME). */
const SCAP_HOME = process.env.INGOT_TEST_SCAP_HOME || '/tmp/ingot-test-scap';

/** The host's apt sources (content) and any unstable package lists (there must never be one). */
function hostAptState(): string {
  const files = [
    '/etc/apt/sources.list',
    ...(existsSync('/etc/apt/sources.list.d')
      ? readdirSync('/etc/apt/sources.list.d').map((f) => `/etc/apt/sources.list.d/${f}`)
      : []),
  ];
  const sources = files.filter((f) => existsSync(f)).map((f) => `${f}:${readFileSync(f, 'utf8')}`);
  const unstableLists = existsSync('/var/lib/apt/lists')
    ? readdirSync('/var/lib/apt/lists').filter((f) => /_dists_(unstable|sid)_/.test(f))
    : [];
  return JSON.stringify([sources, unstableLists]);
}

const describe = (s: ComplianceScores) =>
  `OpenSCAP ${s.openscap ? `${(s.openscap.passRate * 100).toFixed(1)}% (${s.openscap.pass} pass / ${s.openscap.fail} fail)` : 'skipped'}, ` +
  `Lynis hardening index ${s.lynis?.hardeningIndex ?? 'skipped'}`;

test('CIS Level 1 hardening raises the OpenSCAP CIS pass rate and the Lynis hardening index', {
  timeout: 15 * 60_000,
}, async (t) => {
  const why = baseUnavailable() ?? openScapUnavailable() ?? toolMissing('lynis', 'scripts/install-system-deps.sh');
  if (why) return t.skip(why);
  const hostApt = hostAptState();
  try {
    await ensureScapContent({ ingotHome: SCAP_HOME });
  } catch (err) {
    return t.skip(`SCAP Security Guide content for Debian 12 could not be fetched: ${(err as Error).message}`);
  }
  assert.equal(
    hostAptState(),
    hostApt,
    "fetching ssg-debian from unstable left the host's apt sources and lists as they were",
  );
  const base = await sharedTestBase();
  const work = mkdtempSync(join(tmpdir(), 'ingot-compliance-'));
  const upper = join(work, 'upper');
  try {
    const parsed = parseComponentDocument(findManagedComponent('cis-debian-level1-server')!.data);
    assert.ok(parsed.ok);
    const sandbox = await createSandboxInstance({
      lowerDirs: [base.rootfsDir],
      upperDir: upper,
      ingotHome: join(work, 'home'),
    });
    const started = Date.now();
    try {
      const run = await runComponentDocuments({
        instance: sandbox,
        documents: [{ filePath: 'cis-debian-level1-server', document: parsed.document }],
      });
      // security-packages may fail without the package mirror (onFailure: Continue); the rest must succeed.
      assert.ok(run.status === 'success' || run.status === 'successWithIgnoredFailure', run.failureMessage);
    } finally {
      await sandbox.close();
    }
    t.diagnostic(`cis-debian-level1-server ran in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const scan = (name: string, lowerDirs: string[]) => {
      mkdirSync(join(work, name));
      return runComplianceScans({
        lowerDirs,
        outputDir: join(work, name),
        ingotHome: SCAP_HOME,
        lynisTestGroups: LYNIS_IMAGE_GROUPS,
        workDir: work,
      });
    };
    const [before, after] = await Promise.all([
      scan('before', [base.rootfsDir]),
      scan('after', [upper, base.rootfsDir]),
    ]);
    t.diagnostic(`before: ${describe(before)}`);
    t.diagnostic(`after:  ${describe(after)}`);
    t.diagnostic(
      `scan times: OpenSCAP ${before.openscap?.durationMs} / ${after.openscap?.durationMs} ms, Lynis ${before.lynis?.durationMs} / ${after.lynis?.durationMs} ms`,
    );
    t.diagnostic(`still failing after hardening: ${after.openscap?.failedRules.join(', ')}`);
    assert.deepEqual(before.skipped, {});
    assert.deepEqual(after.skipped, {});
    assert.ok(after.openscap!.passRate > before.openscap!.passRate, describe(after));
    assert.ok(after.openscap!.fail < before.openscap!.fail);
    assert.ok(
      after.lynis!.hardeningIndex > before.lynis!.hardeningIndex,
      `Lynis ${before.lynis!.hardeningIndex} → ${after.lynis!.hardeningIndex}`,
    );
    for (const f of ['openscap-arf.xml', 'openscap-report.html', 'lynis-report.dat', 'scores.json'])
      assert.ok(existsSync(join(after.dir, f)), f);
    const scores = JSON.parse(readFileSync(join(after.dir, 'scores.json'), 'utf8')) as ComplianceScores;
    assert.equal(scores.openscap?.profile, 'xccdf_org.ssgproject.content_profile_cis_level1_server');
    assert.equal(scores.lynis?.hardeningIndex, after.lynis!.hardeningIndex);
    assert.equal(
      existsSync(join(base.rootfsDir, 'var/cache/apt/pkgcache.bin')),
      false,
      'the scans left the shared base untouched',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
