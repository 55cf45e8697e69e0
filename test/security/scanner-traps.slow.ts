/**
 * @module The real compliance scanners over a hostile image (the debian-12 base plus a trap layer):
 * /etc/login.defs links to a host marker file (Lynis copied its values into its report before the scan
 * jail), /etc/motd to /etc/shadow, /etc/issue is a FIFO (Lynis' banner grep would wait forever) and
 * /etc/issue.net a sparse 100 GiB file. Both scans finish, inside the reader cgroup, and no output holds
 * the marker; nothing is left behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createReaderCgroup } from '../../src/cgroups/index.ts';
import { openScapUnavailable } from '../../src/compliance/openscap.ts';
import { ensureScapContent } from '../../src/compliance/scap-content.ts';
import { runComplianceScans } from '../../src/compliance/scan.ts';
import { sharedTestBase } from '../helpers/test-base.ts';
import { baseUnavailable, toolMissing } from './helpers.ts';

const SCAP_HOME = process.env.INGOT_TEST_SCAP_HOME || '/tmp/ingot-test-scap';

test('OpenSCAP and Lynis over a trapped image: they finish, read nothing of the host, leave nothing behind', {
  timeout: 10 * 60_000,
}, async (t) => {
  const why = baseUnavailable() ?? openScapUnavailable() ?? toolMissing('lynis', 'scripts/install-system-deps.sh');
  if (why) return t.skip(why);
  try {
    await ensureScapContent({ ingotHome: SCAP_HOME });
  } catch (err) {
    return t.skip(`SCAP Security Guide content for Debian 12 could not be fetched: ${(err as Error).message}`);
  }
  const base = await sharedTestBase();
  const work = mkdtempSync(join(tmpdir(), 'ingot-scanner-traps-'));
  const value = `7${String(Math.random()).slice(2, 11)}`;
  const marker = join(work, 'host-marker');
  writeFileSync(marker, `PASS_MAX_DAYS ${value}\nPASS_MIN_DAYS ${value}\nUMASK 077\n`);
  const trap = join(work, 'trap');
  mkdirSync(join(trap, 'etc'), { recursive: true });
  symlinkSync(marker, join(trap, 'etc/login.defs'));
  symlinkSync('/etc/shadow', join(trap, 'etc/motd'));
  execFileSync('mkfifo', [join(trap, 'etc/issue')]);
  writeFileSync(join(trap, 'etc/issue.net'), '');
  truncateSync(join(trap, 'etc/issue.net'), 100 * 1024 ** 3);
  const out = join(work, 'out');
  mkdirSync(out);
  const { cgroup } = await createReaderCgroup({ memoryMiB: 2048, pids: 512 });
  const started = Date.now();
  try {
    const scores = await runComplianceScans({
      lowerDirs: [trap, base.rootfsDir],
      outputDir: out,
      ingotHome: SCAP_HOME,
      lynisTestGroups: ['authentication', 'banners'],
      workDir: work,
      ...(cgroup ? { cgroupProcs: cgroup.procsFiles } : {}),
    });
    t.diagnostic(
      `OpenSCAP ${scores.openscap?.durationMs} ms, Lynis ${scores.lynis?.durationMs} ms (index ${scores.lynis?.hardeningIndex})`,
    );
    assert.deepEqual(scores.skipped, {});
    assert.ok(Date.now() - started < 8 * 60_000, 'the scans did not hang on the FIFO or the huge file');
    const shadowLine = readFileSync('/etc/shadow', 'utf8').split('\n')[0] ?? 'root:';
    const files = readdirSync(scores.dir);
    assert.ok(files.includes('lynis-report.dat') && files.includes('openscap-arf.xml'), files.join(' '));
    for (const f of files) {
      const text = readFileSync(join(scores.dir, f), 'utf8');
      assert.ok(!text.includes(value), `${f} holds the host marker's value`);
      if (shadowLine.includes('$')) assert.ok(!text.includes(shadowLine), `${f} holds the host's /etc/shadow`);
    }
    if (cgroup) assert.deepEqual(await cgroup.pids(), [], 'no scanner process is left in the cgroup');
  } finally {
    await cgroup?.remove();
    assert.equal(readdirSync(work).sort().join(' '), 'host-marker out trap', 'no merge or jail directory left');
    rmSync(work, { recursive: true, force: true });
  }
});
