/**
 * @module Issue 19's done-when: public-style component documents (shell, apt, services, users,
 * files) build alone on the default base with `ingot build`, each through its build, validate and
 * test phases, as they would on an EC2 instance: sudo without warnings, apt without an update
 * first, HTTPS, lsb_release, and a nginx document that enables, starts and checks the service
 * (routed to a qemu build instance because it needs a running systemd). A document written for
 * yum fails with a summary that names yum. The portable documents of ../shared/corpus-sample run
 * too when it is there.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runIngot } from '../helpers/cli.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs, qemu)' : false;
const fixtures = fileURLToPath(new URL('../fixtures/corpus', import.meta.url));
const shared = fileURLToPath(new URL('../../../shared/corpus-sample/components', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'ingot-corpus-'));
after(() => rmSync(home, { recursive: true, force: true }));

/** Builds one document alone on the default base (debian-12); the CLI's result and the manifest. */
async function buildAlone(doc: string, timeoutMs = 20 * 60_000) {
  const name = basename(doc)
    .replace(/\.ya?ml$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 60);
  const dir = mkdtempSync(join(home, `${name}-`));
  copyFileSync(doc, join(dir, 'component.yml'));
  writeFileSync(
    join(dir, 'recipe.yml'),
    `name: corpus-${name}\nversion: 1.0.0\ncomponents:\n  - name: ${name}\n    uri: component.yml\n`,
  );
  const out = join(dir, 'out');
  const r = await runIngot(
    ['build', join(dir, 'recipe.yml'), '--output', out, '--no-cache'],
    { INGOT_HOME: home },
    timeoutMs,
  );
  const manifestFile = join(out, 'manifest.json');
  const manifest = existsSync(manifestFile)
    ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as { tests?: string })
    : undefined;
  return { ...r, manifest };
}

for (const doc of ['users-and-sudo.yml', 'files-and-config.yml', 'apt-repo-tools.yml', 'cron-logrotate.yml']) {
  test(`${doc} builds, validates and tests on the default base`, { skip, timeout: 25 * 60_000 }, async () => {
    const r = await buildAlone(join(fixtures, doc));
    assert.equal(r.code, 0, r.stderr.slice(-4000));
    assert.equal(r.manifest?.tests, 'passed');
    assert.doesNotMatch(r.stderr, /unable to resolve host/, 'the hostname resolves');
  });
}

test('web-nginx.yml: enables, starts and checks nginx in a default build (routed to a qemu build instance)', {
  skip,
  timeout: 45 * 60_000,
}, async () => {
  const r = await buildAlone(join(fixtures, 'web-nginx.yml'), 45 * 60_000);
  assert.equal(r.code, 0, r.stderr.slice(-4000));
  assert.match(r.stderr, /needs a running systemd \(sudo systemctl start nginx\): it builds in a qemu build instance/);
  assert.equal(r.manifest?.tests, 'passed');
});

test('a yum document fails on Debian with a summary that names yum', { skip, timeout: 20 * 60_000 }, async () => {
  const r = await buildAlone(join(fixtures, 'yum-on-debian.yml'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /first failing command was line 1 `sudo yum install -y httpd` \(exit code 1\)/);
  assert.match(r.stderr, /it uses yum \(Red Hat-family systems/);
});

/** The portable (shell-only, Debian-friendly) documents of the shared public sample. */
const SHARED_PORTABLE = [
  'aws-samples__amazon-ec2-image-builder-samples/CDK__Linux__hello-world__example-component__hello-world-component.yml',
  'awsdocs__ec2-image-builder-user-guide/doc_source__toe-get-started.md__L119-L143.yml',
  'awsdocs__ec2-image-builder-user-guide/doc_source__create-component-yaml.md__L22-L45.yml',
];

for (const doc of SHARED_PORTABLE) {
  test(`shared corpus: ${basename(doc)}`, {
    skip: skip || (existsSync(shared) ? false : '../shared/corpus-sample is not next to the checkout'),
    timeout: 25 * 60_000,
  }, async () => {
    const r = await buildAlone(join(shared, doc));
    assert.equal(r.code, 0, r.stderr.slice(-4000));
  });
}
