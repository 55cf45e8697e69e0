/**
 * @module The evidence every image carries (issue: security and compliance): SBOMs (SPDX 2.3 and
 * CycloneDX 1.6, also attached to OCI images as referrers), vulnerability findings when a
 * Debian security tracker feed is configured, OpenSCAP/Lynis compliance scores when asked for,
 * and a cosign-style signature of the OCI image when a signing key is configured. The
 * checksum signature over the whole output directory is `signChecksums`, the build's last step.
 */
import type { EvidenceSummary } from '../artifacts/manifest.ts';
import { join } from 'node:path';
import { type ResourceLimits, withReaderCgroup } from '../cgroups/index.ts';
import { runComplianceScans } from '../compliance/scan.ts';
import { LYNIS_IMAGE_GROUPS } from '../compliance/lynis.ts';
import { checkSeverityThreshold } from '../findings/aggregate.ts';
import { scanImageVulnerabilities } from '../findings/scan.ts';
import { writeSboms } from '../sbom/generate.ts';
import { inventoryKey, loadInventory, saveInventory } from '../sbom/inventory-reuse.ts';
import { generateSbomsForLayers, type LayerSboms } from '../sbom/layers.ts';
import { attachSbomReferrers } from '../sbom/oci-referrers.ts';
import { signOciImage } from '../signing/cosign.ts';
import { writeSignedChecksums } from '../signing/checksums.ts';
import { loadPrivateKey } from '../signing/keys.ts';
import type { BuildEventSink } from './events.ts';
import { BuildFailure } from './failure.ts';

export interface EvidenceOptions {
  /** Debian security tracker JSON to match the SBOM against (findings.json). */
  findingsFeed?: string | undefined;
  /** Fail the build when a finding is at least this severe (CRITICAL, HIGH, MEDIUM, LOW...). */
  failOnSeverity?: string | undefined;
  /** Run OpenSCAP (this XCCDF profile id suffix, e.g. cis_level1_server) and Lynis. */
  complianceProfile?: string | undefined;
  /** PEM private key: signs the OCI image (cosign) and SHA256SUMS. */
  signingKey?: string | undefined;
  /** What the OCI signature vouches for (cosign docker-reference). */
  dockerReference?: string | undefined;
}

export interface EvidenceRun {
  outputDir: string;
  home: string;
  workDir: string;
  lowerDirs: readonly string[];
  name: string;
  version: string;
  /** The OCI layout of a container build (SBOM referrers and the signature go there). */
  ociLayout?: string | undefined;
  options: EvidenceOptions;
  onEvent: BuildEventSink;
  /** The build's abort signal (cancel ends the SBOM and scanner processes). */
  signal?: AbortSignal | undefined;
  /** The build's instance limits: the SBOM and scanner processes run in a cgroup with them. */
  limits?: ResourceLimits | undefined;
  /**
   * Where package inventories are kept for reuse (inventory-reuse.ts), with the content identity
   * of each of `lowerDirs` (layer digests, the base's digest) and the cache scope; absent: none.
   */
  inventoryCache?: { dir: string; ids: readonly string[]; scope?: string | undefined } | undefined;
}

/** The evidence, its host-side readers of the image in a cgroup with the build's limits (removed after). */
export async function gatherEvidence(r: EvidenceRun): Promise<EvidenceSummary> {
  return withReaderCgroup(
    r.limits ?? {},
    (w) => r.onEvent({ type: 'log', line: `evidence: ${w}` }),
    (cgroupProcs) => gatherEvidenceIn(r, cgroupProcs),
  );
}

/**
 * The SBOMs: from the inventory kept for the layers that can change it, when there is one (the
 * same documents a full reading writes); else read from the merged layers, and kept for reuse.
 */
async function sbomsOf(r: EvidenceRun, cgroupProcs: readonly string[]): Promise<LayerSboms> {
  const subject = { outDir: r.outputDir, name: r.name, version: r.version };
  const reuse = r.inventoryCache;
  const key = reuse ? await inventoryKey(r.lowerDirs, reuse.ids, reuse.scope) : undefined;
  const kept = reuse && key ? await loadInventory(reuse.dir, key) : undefined;
  if (kept) {
    const { inventory: _inventory, ...written } = await writeSboms(kept, subject);
    r.onEvent({
      type: 'log',
      line: 'SBOM: the package inventory of the layers below is reused (no layer above touches usr, var or /etc/os-release)',
    });
    return written;
  }
  const sboms = await generateSbomsForLayers({
    lowerDirs: r.lowerDirs,
    ...subject,
    workDir: r.workDir,
    cgroupProcs,
    ...(key ? { reusable: true } : {}),
    ...(r.signal ? { signal: r.signal } : {}),
  });
  if (reuse && key && sboms.inventory && sboms.linksInside)
    await saveInventory(reuse.dir, key, sboms.inventory).catch((err: unknown) =>
      r.onEvent({ type: 'log', line: `SBOM: could not keep the package inventory for reuse: ${String(err)}` }),
    );
  return sboms;
}

async function gatherEvidenceIn(r: EvidenceRun, cgroupProcs: readonly string[]): Promise<EvidenceSummary> {
  const sboms = await sbomsOf(r, cgroupProcs);
  r.onEvent({
    type: 'log',
    line: sboms.packageDatabase
      ? `SBOM: ${sboms.packageCount} packages (sbom.spdx.json, sbom.cdx.json)`
      : 'SBOM: no package database (/var/lib/dpkg/status) in the image: the SBOMs list no packages (sbom.spdx.json, sbom.cdx.json)',
  });
  if (r.ociLayout)
    await attachSbomReferrers({
      layoutDir: r.ociLayout,
      tag: r.version,
      spdxPath: sboms.spdxPath,
      cycloneDxPath: sboms.cycloneDxPath,
    });
  const summary: EvidenceSummary = { packages: sboms.packageCount, signed: false };
  if (r.options.findingsFeed) {
    const report = await scanImageVulnerabilities({
      feedPath: r.options.findingsFeed,
      cycloneDxPath: sboms.cycloneDxPath,
      outFile: join(r.outputDir, 'findings.json'),
    });
    summary.findings = { total: report.findings.length, bySeverity: report.counts };
    r.onEvent({
      type: 'log',
      line: `findings: ${report.findings.length} (${
        Object.entries(report.counts)
          .filter(([, n]) => n)
          .map(([s, n]) => `${n} ${s}`)
          .join(', ') || 'none'
      })`,
    });
    if (r.options.failOnSeverity) {
      const check = checkSeverityThreshold(report.findings, r.options.failOnSeverity);
      if (check.fail)
        throw new BuildFailure(
          'evidence',
          `${check.offending.length} finding(s) at or above ${r.options.failOnSeverity.toUpperCase()}, e.g. ${check.offending
            .slice(0, 3)
            .map((f) => f.title ?? f.type)
            .join('; ')}`,
        );
    }
  }
  if (r.options.complianceProfile) {
    const scores = await runComplianceScans({
      lowerDirs: r.lowerDirs,
      outputDir: r.outputDir,
      ingotHome: r.home,
      profile: `xccdf_org.ssgproject.content_profile_${r.options.complianceProfile}`,
      lynisTestGroups: LYNIS_IMAGE_GROUPS,
      workDir: r.workDir,
      cgroupProcs,
      ...(r.signal ? { signal: r.signal } : {}),
    });
    summary.compliance = {
      ...(scores.openscap ? { openscapPassRate: scores.openscap.passRate } : {}),
      ...(scores.lynis ? { lynisHardeningIndex: scores.lynis.hardeningIndex } : {}),
      skipped: scores.skipped,
    };
    r.onEvent({
      type: 'log',
      line: `compliance: OpenSCAP ${scores.openscap ? `${(scores.openscap.passRate * 100).toFixed(1)} %` : 'skipped'}, Lynis ${scores.lynis?.hardeningIndex ?? 'skipped'}`,
    });
  }
  if (r.options.signingKey && r.ociLayout) {
    await signOciImage({
      layoutDir: r.ociLayout,
      tag: r.version,
      dockerReference: r.options.dockerReference ?? `ingot.local/${r.name}`,
      key: await loadPrivateKey(r.options.signingKey),
    });
    summary.signed = true;
  }
  return summary;
}

/** SHA256SUMS + SHA256SUMS.sig over every file of the output directory: call it last. */
export async function signChecksums(outputDir: string, signingKey: string | undefined): Promise<boolean> {
  if (!signingKey) return false;
  await writeSignedChecksums(outputDir, await loadPrivateKey(signingKey));
  return true;
}
