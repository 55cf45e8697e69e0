/**
 * @module SBOMs of the real debian-12 base: SPDX 2.3 and CycloneDX 1.6 validate against their schemas, list
 * every dpkg package with purl, licence and checksum, quickly; and attach to an OCI image as referrers.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedTestBase } from '../helpers/test-base.ts';
import { buildImageConfig } from '../../src/oci/image/config.ts';
import { writeOciLayout } from '../../src/oci/image/layout.ts';
import { writeLayer } from '../../src/oci/layer/write-layer.ts';
import { generateSboms } from '../../src/sbom/generate.ts';
import { generateSbomsForLayers } from '../../src/sbom/layers.ts';
import { licensesFromCopyright, spdxForDebianLicense } from '../../src/sbom/licenses.ts';
import { attachSbomReferrers, listReferrers, referrersTag, SBOM_ARTIFACT_TYPES } from '../../src/sbom/oci-referrers.ts';
import { findImageEntry } from '../../src/oci/image/oci-index.ts';
import { baseUnavailable, schemaValidator, toolMissing } from './helpers.ts';

type Json = Record<string, unknown>;
const PURL = /^pkg:deb\/debian\/[^@/?]+@[^?]+\?arch=[a-z0-9]+&distro=debian-12$/;

test('SBOMs of the debian-12 base validate, list every dpkg package, and take under 2 s', async (t) => {
  const why = baseUnavailable();
  if (why) return t.skip(why);
  const base = await sharedTestBase();
  const dir = mkdtempSync(join(tmpdir(), 'ingot-sbom-'));
  try {
    const cold = await generateSboms({
      rootfsDir: base.rootfsDir,
      outDir: dir,
      name: 'debian-base',
      version: '1.0.0/1',
    });
    const r = await generateSboms({ rootfsDir: base.rootfsDir, outDir: dir, name: 'debian-base', version: '1.0.0/1' });
    t.diagnostic(
      `${r.packageCount} packages (${r.packagesWithLicense} with a machine-readable licence) in ${cold.durationMs} ms cold, ${r.durationMs} ms warm`,
    );
    assert.ok(
      Math.min(cold.durationMs, r.durationMs) < 2000,
      `SBOM generation took ${cold.durationMs} / ${r.durationMs} ms`,
    );
    const dpkgCount = execFileSync('dpkg-query', [`--admindir=${join(base.rootfsDir, 'var/lib/dpkg')}`, '-W'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n').length;
    assert.equal(r.packageCount, dpkgCount);

    const cdx = JSON.parse(readFileSync(r.cycloneDxPath, 'utf8')) as Json;
    assert.deepEqual(
      schemaValidator('bom-1.6.SNAPSHOT.schema.json', ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json'])(
        cdx,
      ),
      [],
    );
    const components = cdx.components as Json[];
    assert.equal(components.length, dpkgCount);
    assert.ok(
      components.every((c) => PURL.test(String(c.purl))),
      'every component has a deb purl',
    );
    assert.ok(
      components.every((c) => /^[a-f0-9]{64}$/.test(String((c.hashes as Json[])[0]?.content))),
      'every component has a SHA-256',
    );
    const bash = components.find((c) => c.name === 'bash')!;
    assert.match(String(bash.purl), /^pkg:deb\/debian\/bash@5\.2\.15-2%2Bb\d+\?arch=amd64&distro=debian-12$/);
    assert.deepEqual((bash.licenses as Json[])[0], { license: { id: 'GPL-3.0-or-later' } });
    assert.ok(
      (bash.licenses as Json[]).some((l) => (l.license as Json).name === 'GFDL-NIV-1.3'),
      'a Debian-only licence keeps its name',
    );

    const spdx = JSON.parse(readFileSync(r.spdxPath, 'utf8')) as Json;
    assert.deepEqual(schemaValidator('spdx-2.3-ingot.schema.json')(spdx), []);
    const official =
      process.env.INGOT_SPDX_SCHEMA ?? new URL('../fixtures/schemas/spdx-schema-2.3.json', import.meta.url).pathname;
    if (existsSync(official))
      assert.deepEqual(schemaValidator(official.slice(official.lastIndexOf('schemas/') + 8))(spdx), []);
    else
      t.diagnostic(
        "official SPDX 2.3 schema not present (no npm/Debian package ships it): validated against Ingot's encoding of the spec",
      );
    const packages = (spdx.packages as Json[]).filter((p) => p.SPDXID !== 'SPDXRef-Image');
    assert.equal(packages.length, dpkgCount);
    const ids = new Set((spdx.packages as Json[]).map((p) => p.SPDXID));
    assert.ok(
      (spdx.relationships as Json[]).every(
        (rel) =>
          ids.has(rel.relatedSpdxElement) && (ids.has(rel.spdxElementId) || rel.spdxElementId === 'SPDXRef-DOCUMENT'),
      ),
    );
    const declaredRefs = new Set((spdx.hasExtractedLicensingInfos as Json[]).map((l) => l.licenseId));
    // Every licence id used is on the SPDX licence list (as CycloneDX ships it).
    const spdxIds = new Set(
      (
        JSON.parse(readFileSync(new URL('../fixtures/schemas/spdx.SNAPSHOT.schema.json', import.meta.url), 'utf8')) as {
          enum: string[];
        }
      ).enum,
    );
    const used = new Set(packages.flatMap((p) => String(p.licenseDeclared).replace(/[()]/g, ' ').split(/\s+/)));
    for (const id of used)
      if (id && !/^(AND|OR|WITH|NOASSERTION)$/.test(id) && !id.startsWith('LicenseRef-'))
        assert.ok(spdxIds.has(id), `${id} is an SPDX licence id`);
    for (const p of packages) {
      for (const ref of String(p.licenseDeclared).match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? [])
        assert.ok(declaredRefs.has(ref), `${ref} is declared`);
      assert.match(String((p.externalRefs as Json[])[0]?.referenceLocator), PURL);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SBOMs of an image given as layers read the merged tree (the dpkg database of the top layer wins)', async (t) => {
  const why = baseUnavailable();
  if (why) return t.skip(why);
  const base = await sharedTestBase();
  const dir = mkdtempSync(join(tmpdir(), 'ingot-sbom-layers-'));
  try {
    const status = readFileSync(join(base.rootfsDir, 'var/lib/dpkg/status'), 'utf8');
    const extra =
      'Package: ingot-test-tool\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:2.0-1\nMaintainer: Ingot <ingot@example.org>\nDescription: test package\n';
    mkdirSync(join(dir, 'upper/var/lib/dpkg'), { recursive: true });
    writeFileSync(join(dir, 'upper/var/lib/dpkg/status'), `${status.trimEnd()}\n\n${extra}`);
    const r = await generateSbomsForLayers({
      lowerDirs: [join(dir, 'upper'), base.rootfsDir],
      outDir: join(dir, 'out'),
      name: 'layered',
      version: '1.0.0/1',
      workDir: dir,
    });
    const cdx = JSON.parse(readFileSync(r.cycloneDxPath, 'utf8')) as { components: Json[] };
    const tool = cdx.components.find((c) => c.name === 'ingot-test-tool');
    assert.equal(tool?.purl, 'pkg:deb/debian/ingot-test-tool@1%3A2.0-1?arch=amd64&distro=debian-12');
    assert.equal(r.packageCount, cdx.components.length);
    assert.ok(
      (cdx.components.find((c) => c.name === 'bash')?.licenses as Json[] | undefined)?.length,
      'copyright files come from the lower layer',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Debian copyright files: DEP-5 licences become SPDX ids, others stay LicenseRefs, free-form files give none', () => {
  const dep5 =
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+ or Artistic\n\nFiles: lib/*\nLicense: BSD-3-clause\n text\n\nFiles: x\nLicense: LGPL-2.1+ with OpenSSL exception\n\nLicense: MIT\n text\n';
  assert.deepEqual(licensesFromCopyright(dep5), ['GPL-2+', 'Artistic', 'BSD-3-clause', 'LGPL-2.1+']);
  assert.equal(licensesFromCopyright('This package was debianized by someone.\nIt is GPL.'), undefined);
  assert.equal(spdxForDebianLicense('GPL-2+'), 'GPL-2.0-or-later');
  assert.equal(spdxForDebianLicense('LGPL-2.1'), 'LGPL-2.1-only');
  assert.equal(spdxForDebianLicense('Expat'), 'MIT');
  assert.equal(spdxForDebianLicense('GPL-2.1+'), undefined);
  assert.equal(spdxForDebianLicense('public-domain'), undefined);
});

test('SBOMs attach to an OCI image as referrers; the layout still reads with skopeo and umoci', async (t) => {
  const missing = toolMissing('skopeo', 'scripts/install-system-deps.sh');
  const dir = mkdtempSync(join(tmpdir(), 'ingot-sbom-oci-'));
  try {
    mkdirSync(join(dir, 'tree/etc'), { recursive: true });
    writeFileSync(join(dir, 'tree/etc/hello'), 'hi\n');
    const layer = await writeLayer({
      sourceDir: join(dir, 'tree'),
      kind: 'full-rootfs',
      compression: 'gzip',
      outFile: join(dir, 'layer.tar.gz'),
    });
    const config = buildImageConfig({
      layers: [{ diffId: layer.diffId, createdBy: 'test' }],
      created: '2026-01-01T00:00:00Z',
    });
    const image = await writeOciLayout({
      dir: join(dir, 'oci'),
      tag: '1.0.0-1',
      config,
      layers: [{ descriptor: layer, file: join(dir, 'layer.tar.gz') }],
    });
    writeFileSync(join(dir, 'sbom.spdx.json'), '{"spdxVersion":"SPDX-2.3"}');
    writeFileSync(join(dir, 'sbom.cdx.json'), '{"bomFormat":"CycloneDX"}');
    const attached = await attachSbomReferrers({
      layoutDir: join(dir, 'oci'),
      spdxPath: join(dir, 'sbom.spdx.json'),
      cycloneDxPath: join(dir, 'sbom.cdx.json'),
    });
    assert.equal(attached.length, 2);
    const referrers = await listReferrers(join(dir, 'oci'), image.manifest.digest);
    assert.deepEqual(
      referrers.map((r) => r.artifactType).sort(),
      [SBOM_ARTIFACT_TYPES.spdx, SBOM_ARTIFACT_TYPES.cycloneDx].sort(),
    );
    const manifest = JSON.parse(
      readFileSync(join(dir, 'oci/blobs/sha256', referrers[0]!.manifest.digest.slice(7)), 'utf8'),
    ) as Json;
    assert.deepEqual(manifest.subject, {
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
    });
    assert.equal((manifest.config as Json).mediaType, 'application/vnd.oci.empty.v1+json');
    assert.equal(
      (await findImageEntry(join(dir, 'oci'))).digest,
      image.manifest.digest,
      'the image is still the one image of the layout',
    );
    if (missing) return t.skip(missing);
    const inspected = JSON.parse(
      execFileSync('skopeo', ['inspect', `oci:${join(dir, 'oci')}:1.0.0-1`], { encoding: 'utf8' }),
    ) as Json;
    assert.equal(inspected.Digest, image.manifest.digest);
    const tag = `oci:${join(dir, 'oci')}:${referrersTag(image.manifest.digest)}`;
    const fallback = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', tag], { encoding: 'utf8' })) as {
      manifests: Json[];
    };
    assert.deepEqual(
      fallback.manifests.map((m) => m.artifactType).sort(),
      [SBOM_ARTIFACT_TYPES.spdx, SBOM_ARTIFACT_TYPES.cycloneDx].sort(),
    );
    execFileSync('skopeo', ['copy', '--all', '-q', tag, `oci:${join(dir, 'copy')}:referrers`]);
    assert.ok(
      existsSync(join(dir, 'copy/blobs/sha256', String(attached[0]!.digest).slice(7))),
      'skopeo copies the referrers with the tag',
    );
    if (!toolMissing('umoci', 'scripts/install-system-deps.sh')) {
      assert.match(execFileSync('umoci', ['ls', '--layout', join(dir, 'oci')], { encoding: 'utf8' }), /1\.0\.0-1/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
