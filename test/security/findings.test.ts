/** @module Vulnerability findings: the fixture tracker feed against the real debian-12 base, severities, aggregations, threshold. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedTestBase } from '../helpers/test-base.ts';
import { IngotError } from '../../src/errors/ingot-error.ts';
import { aggregateFindings, checkSeverityThreshold } from '../../src/findings/aggregate.ts';
import { importTrackerFeed, loadTrackerFeed, resolveFeedPath } from '../../src/findings/feed.ts';
import { matchVulnerabilities, type ScanPackage } from '../../src/findings/match.ts';
import { scanImageVulnerabilities } from '../../src/findings/scan.ts';
import { severityForUrgency } from '../../src/findings/severity.ts';
import { generateSboms } from '../../src/sbom/generate.ts';
import { baseUnavailable } from './helpers.ts';

const FEED = new URL('../fixtures/security/tracker-feed.json', import.meta.url).pathname;

const PACKAGES: ScanPackage[] = [
  {
    name: 'libc6',
    version: '2.36-9+deb12u14',
    architecture: 'amd64',
    source: 'glibc',
    sourceVersion: '2.36-9+deb12u14',
  },
  {
    name: 'libsystemd0',
    version: '252.39-1~deb12u2',
    architecture: 'amd64',
    source: 'systemd',
    sourceVersion: '252.39-1~deb12u2',
  },
  {
    name: 'login',
    version: '1:4.13+dfsg1-1+deb12u2',
    architecture: 'amd64',
    source: 'shadow',
    sourceVersion: '1:4.13+dfsg1-1+deb12u2',
  },
  {
    name: 'passwd',
    version: '1:4.13+dfsg1-1+deb12u2',
    architecture: 'amd64',
    source: 'shadow',
    sourceVersion: '1:4.13+dfsg1-1+deb12u2',
  },
  { name: 'bash', version: '5.2.15-2+b13', architecture: 'amd64', source: 'bash', sourceVersion: '5.2.15-2' },
  {
    name: 'zlib1g',
    version: '1:1.2.13.dfsg-1',
    architecture: 'amd64',
    source: 'zlib',
    sourceVersion: '1:1.2.13.dfsg-1',
  },
];
const EXPECTED = {
  'CVE-2099-0001': 'CRITICAL',
  'CVE-2099-0004': 'MEDIUM',
  'CVE-2099-0005': 'LOW',
  'CVE-2099-0007': 'INFORMATIONAL',
  'CVE-2099-0008': 'UNTRIAGED',
};

test('the fixture feed yields exactly the affected (source package, CVE) pairs with mapped severities', async () => {
  const feed = await loadTrackerFeed(FEED);
  const findings = matchVulnerabilities(PACKAGES, feed, {
    release: 'bookworm',
    imageBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:123456789012:image/x/1.0.0/1',
  });
  const got = Object.fromEntries(findings.map((f) => [f.packageVulnerabilityDetails!.vulnerabilityId, f.severity]));
  assert.deepEqual(got, EXPECTED);
  const shadow = findings.find((f) => f.packageVulnerabilityDetails!.vulnerabilityId === 'CVE-2099-0005')!;
  assert.deepEqual(
    shadow.packageVulnerabilityDetails!.vulnerablePackages!.map((p) => [
      p.name,
      p.epoch,
      p.version,
      p.release,
      p.fixedInVersion,
    ]),
    [
      ['login', 1, '4.13+dfsg1', '1+deb12u2', '1:4.13+dfsg1-1+deb12u3'],
      ['passwd', 1, '4.13+dfsg1', '1+deb12u2', '1:4.13+dfsg1-1+deb12u3'],
    ],
  );
  assert.equal(shadow.fixAvailable, 'YES');
  assert.equal(shadow.type, 'PACKAGE_VULNERABILITY');
  assert.equal(
    findings.find((f) => f.packageVulnerabilityDetails!.vulnerabilityId === 'CVE-2099-0007')!.fixAvailable,
    'NO',
  );
  assert.ok(
    findings.every(
      (f) => f.imageBuildVersionArn?.endsWith('/1.0.0/1') && f.remediation?.recommendation?.url?.includes('CVE-2099-'),
    ),
  );
});

test('aggregations count severities per vulnerability and per image; the threshold fails at or above a severity', async () => {
  const findings = matchVulnerabilities(PACKAGES, await loadTrackerFeed(FEED), {
    release: 'bookworm',
    imageBuildVersionArn: 'arn:img',
  });
  assert.deepEqual(aggregateFindings(findings, 'imageBuildVersionArn'), [
    {
      imageAggregation: {
        imageBuildVersionArn: 'arn:img',
        severityCounts: { all: 5, critical: 1, high: 0, medium: 1 },
      },
    },
  ]);
  const byId = aggregateFindings(findings, 'vulnerabilityId');
  assert.equal(byId.length, 5);
  assert.deepEqual(byId[0], {
    vulnerabilityIdAggregation: {
      vulnerabilityId: 'CVE-2099-0001',
      severityCounts: { all: 1, critical: 1, high: 0, medium: 0 },
    },
  });
  assert.equal(checkSeverityThreshold(findings, 'CRITICAL').fail, true);
  assert.equal(checkSeverityThreshold(findings, 'high').offending.length, 1);
  assert.equal(checkSeverityThreshold(findings, 'MEDIUM').offending.length, 2);
  assert.equal(checkSeverityThreshold(findings, 'INFORMATIONAL').offending.length, 4);
  assert.equal(
    checkSeverityThreshold(
      findings.filter((f) => f.severity === 'LOW'),
      'MEDIUM',
    ).fail,
    false,
  );
  assert.throws(
    () => checkSeverityThreshold(findings, 'SEVERE'),
    (e: unknown) => e instanceof IngotError && /must be one of CRITICAL/.test(e.message),
  );
});

test('urgencies map to severities (Debian marks, remote high issues are CRITICAL)', () => {
  assert.equal(severityForUrgency('high', 'remote'), 'CRITICAL');
  assert.equal(severityForUrgency('high', 'local'), 'HIGH');
  assert.equal(severityForUrgency('medium**'), 'MEDIUM');
  assert.equal(severityForUrgency('low*'), 'LOW');
  assert.equal(severityForUrgency('unimportant'), 'INFORMATIONAL');
  assert.equal(severityForUrgency('not yet assigned'), 'UNTRIAGED');
  assert.equal(severityForUrgency(undefined), 'UNTRIAGED');
});

test('a feed is imported into INGOT_HOME (checked first) and found again; INGOT_SECURITY_FEED or a path wins', async () => {
  const home = mkdtempSync(join(tmpdir(), 'ingot-feed-home-'));
  try {
    assert.equal(await resolveFeedPath(home, undefined, {}), undefined);
    const imported = await importTrackerFeed(FEED, home);
    assert.equal(imported.sourcePackages, 6);
    assert.equal(await resolveFeedPath(home, undefined, {}), imported.path);
    assert.equal(await resolveFeedPath(home, undefined, { INGOT_SECURITY_FEED: '/x.json' }), '/x.json');
    assert.equal(await resolveFeedPath(home, '/y.json', { INGOT_SECURITY_FEED: '/x.json' }), '/y.json');
    writeFileSync(join(home, 'bad.json'), '[]');
    await assert.rejects(importTrackerFeed(join(home, 'bad.json'), home), /must be a JSON object of source packages/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('a malformed feed is refused with the entry named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-feed-'));
  try {
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ bash: { 'CVE-1': { releases: { bookworm: { fixed_version: '1' } } } } }),
    );
    await assert.rejects(
      loadTrackerFeed(join(dir, 'bad.json')),
      (e: unknown) =>
        e instanceof IngotError && /'bash' → 'CVE-1' → releases.bookworm needs a string 'status'/.test(e.message),
    );
    writeFileSync(join(dir, 'notjson.json'), '{');
    await assert.rejects(loadTrackerFeed(join(dir, 'notjson.json')), /is not JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scanning the real debian-12 base (rootfs and its CycloneDX SBOM) finds the fixture CVEs and writes findings.json', async (t) => {
  const why = baseUnavailable();
  if (why) return t.skip(why);
  const base = await sharedTestBase();
  const dir = mkdtempSync(join(tmpdir(), 'ingot-findings-'));
  try {
    const fromRootfs = await scanImageVulnerabilities({
      rootfsDir: base.rootfsDir,
      feedPath: FEED,
      outFile: join(dir, 'findings.json'),
    });
    assert.equal(fromRootfs.release, 'bookworm');
    const ids = fromRootfs.findings.map((f) => f.packageVulnerabilityDetails!.vulnerabilityId).sort();
    assert.ok(ids.includes('CVE-2099-0001') && ids.includes('CVE-2099-0007'), ids.join(','));
    assert.ok(
      !ids.includes('CVE-2099-0002') && !ids.includes('CVE-2099-0006') && !ids.includes('CVE-2099-0009'),
      ids.join(','),
    );
    const written = JSON.parse(readFileSync(join(dir, 'findings.json'), 'utf8')) as {
      findings: unknown[];
      aggregations: unknown[];
    };
    assert.equal(written.findings.length, fromRootfs.findings.length);
    const sboms = await generateSboms({ rootfsDir: base.rootfsDir, outDir: dir, name: 'base', version: '1.0.0/1' });
    const fromSbom = await scanImageVulnerabilities({
      cycloneDxPath: sboms.cycloneDxPath,
      feedPath: FEED,
      release: 'bookworm',
    });
    assert.deepEqual(
      fromSbom.findings.map((f) => f.title),
      fromRootfs.findings.map((f) => f.title),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
