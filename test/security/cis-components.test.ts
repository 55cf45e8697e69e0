/**
 * @module The CIS managed components: they validate, run in a sandbox on the debian-12 base, are idempotent,
 * honour SkipControls, and Level 2 refuses to run without Level 1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedTestBase } from '../helpers/test-base.ts';
import { createSandboxInstance } from '../../src/instance/sandbox/index.ts';
import { parseComponentDocument } from '../../src/toe/document/index.ts';
import { runComponentDocuments } from '../../src/toe/executor/index.ts';
import { findManagedComponent, MANAGED_COMPONENTS } from '../../src/toe/managed/index.ts';
import { baseUnavailable } from './helpers.ts';

const NAMES = ['cis-debian-level1-server', 'cis-debian-level2-server'];

function documentOf(name: string) {
  const parsed = parseComponentDocument(findManagedComponent(name)!.data, { fileName: name });
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  return { filePath: name, document: parsed.document };
}

test('the CIS documents pass the validator, are managed components, and take SkipControls as a stringList', () => {
  for (const name of NAMES) {
    assert.ok(MANAGED_COMPONENTS.some((c) => c.name === name));
    const { document } = documentOf(name);
    assert.equal(document.parameters.find((p) => p.name === 'SkipControls')?.type, 'stringList');
  }
});

test('Level 1 runs in a sandbox, twice with the same result, and skips the named controls; Level 2 needs Level 1', async (t) => {
  const why = baseUnavailable();
  if (why) return t.skip(why);
  const base = await sharedTestBase();
  const work = mkdtempSync(join(tmpdir(), 'ingot-cis-'));
  const upper = join(work, 'upper');
  let sandbox: Awaited<ReturnType<typeof createSandboxInstance>> | undefined;
  try {
    sandbox = await createSandboxInstance({
      lowerDirs: [base.rootfsDir],
      upperDir: upper,
      ingotHome: join(work, 'home'),
    });
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    return t.skip(`no sandbox here: ${(err as Error).message}`);
  }
  try {
    const parameters = { SkipControls: 'banners,cron-permissions', InstallSecurityPackages: 'false' };
    const level2 = await runComponentDocuments({
      instance: sandbox,
      documents: [documentOf('cis-debian-level2-server')],
    });
    assert.equal(level2.status, 'failed');
    assert.match(JSON.stringify(level2), /builds on Level 1: add cis-debian-level1-server before it/);
    for (let run = 1; run <= 2; run++) {
      const out = await runComponentDocuments({
        instance: sandbox,
        documents: [documentOf('cis-debian-level1-server')],
        parameters,
      });
      assert.equal(out.status, 'success', `run ${run}: ${out.failureMessage}`);
    }
    const file = (p: string) => readFileSync(join(upper, p), 'utf8');
    assert.match(file('etc/modprobe.d/60-ingot-cis-level1.conf'), /^install usb-storage \/bin\/false$/m);
    assert.equal(
      file('etc/fstab')
        .split('\n')
        .filter((l) => /\s\/tmp\s/.test(l)).length,
      1,
      'one /tmp line after two runs',
    );
    assert.equal(
      file('etc/login.defs')
        .split('\n')
        .filter((l) => l.startsWith('PASS_MAX_DAYS')).length,
      1,
    );
    assert.match(file('etc/login.defs'), /^PASS_MAX_DAYS\t365$/m);
    assert.match(file('etc/pam.d/su'), /^auth +required +pam_wheel\.so use_uid group=sugroup$/m);
    assert.equal(
      file('etc/pam.d/su')
        .split('\n')
        .filter((l) => l.includes('group=sugroup')).length,
      1,
    );
    assert.match(file('etc/sysctl.d/60-ingot-cis-network.conf'), /^net\.ipv4\.conf\.all\.send_redirects = 0$/m);
    assert.equal(existsSync(join(upper, 'etc/issue')), false, 'banners were skipped (etc/issue untouched)');
    assert.match(file('etc/ingot/cis-level1-applied'), /skipped: banners,cron-permissions/);
    const level2again = await runComponentDocuments({
      instance: sandbox,
      documents: [documentOf('cis-debian-level2-server')],
      parameters: { SkipControls: 'auditd-install' },
    });
    assert.equal(level2again.status, 'success', level2again.failureMessage);
    assert.match(file('etc/modprobe.d/61-ingot-cis-level2.conf'), /^install sctp \/bin\/false$/m);
  } finally {
    await sandbox.close();
    rmSync(work, { recursive: true, force: true });
  }
});
