/**
 * @module `ingot build` writes the evidence next to the artifacts: SBOMs (also as OCI referrers),
 * findings from a tracker feed, a cosign-style signature and a signed SHA256SUMS that
 * `ingot verify` accepts, and rejects once an artifact is changed; a severity threshold fails
 * the build.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateSigningKey } from '../../src/signing/keys.ts';
import { runIngot } from '../helpers/cli.ts';

const FEED = new URL('../fixtures/security/tracker-feed.json', import.meta.url).pathname;
const skip = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs)' : false;
const dir = mkdtempSync(join(tmpdir(), 'ingot-evidence-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function recipe(): string {
  writeFileSync(
    join(dir, 'note.yml'),
    'name: note\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Note\n        action: ExecuteBash\n        inputs:\n          commands:\n            - echo evidence > /etc/evidence-note\n',
  );
  const file = join(dir, 'recipe.yml');
  writeFileSync(
    file,
    'name: evidence-image\nversion: 1.0.0\ncomponents:\n  - uri: note.yml\ndockerfileTemplateData: |\n  FROM {{{ imagebuilder:parentImage }}}\n  {{{ imagebuilder:components }}}\n',
  );
  return file;
}

test('SBOMs, findings and signatures come with the build, and ingot verify checks them', { skip }, async () => {
  const keys = await generateSigningKey(join(dir, 'keys'));
  const out = join(dir, 'out');
  const env = { INGOT_HOME: join(dir, 'home') };
  const r = await runIngot(
    ['build', recipe(), '--output', out, '--findings-feed', FEED, '--sign-key', keys.privateKeyPath],
    env,
  );
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    evidence: { packages: number; findings: { total: number }; signed: boolean };
  };
  assert.ok(manifest.evidence.packages > 50, `${manifest.evidence.packages} packages`);
  assert.ok(manifest.evidence.findings.total > 0, 'the fixture feed has findings for this base');
  assert.equal(manifest.evidence.signed, true);
  const spdx = JSON.parse(readFileSync(join(out, 'sbom.spdx.json'), 'utf8')) as {
    spdxVersion: string;
    packages: unknown[];
  };
  assert.equal(spdx.spdxVersion, 'SPDX-2.3');
  const cdx = JSON.parse(readFileSync(join(out, 'sbom.cdx.json'), 'utf8')) as { specVersion: string };
  assert.equal(cdx.specVersion, '1.6');
  assert.ok(existsSync(join(out, 'findings.json')));
  for (const f of ['SHA256SUMS', 'SHA256SUMS.sig', 'image.oci.tar']) assert.ok(existsSync(join(out, f)), f);

  const ok = await runIngot(['verify', out, '--key', keys.publicKeyPath], env);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const archiveOk = await runIngot(
    ['verify', join(out, 'image.oci.tar'), '--key', keys.publicKeyPath, '--tag', '1.0.0'],
    env,
  );
  assert.equal(archiveOk.code, 0, archiveOk.stdout + archiveOk.stderr);

  appendFileSync(join(out, 'sbom.cdx.json'), ' ');
  const tampered = await runIngot(['verify', out, '--key', keys.publicKeyPath], env);
  assert.notEqual(tampered.code, 0, 'a changed file fails verification');

  const strict = await runIngot(
    ['build', recipe(), '--output', join(dir, 'out-strict'), '--findings-feed', FEED, '--fail-on-severity', 'HIGH'],
    env,
  );
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /finding\(s\) at or above HIGH/);
});
