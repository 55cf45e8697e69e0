/**
 * @module One call for the build: an image's packages (its root file system or its CycloneDX SBOM) +
 * a security tracker feed → `findings.json` with the findings and their aggregations.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ImageScanFinding, ImageScanFindingAggregation, SeverityCounts } from '../model/generated/shapes.ts';
import { CDX_PROPERTIES } from '../sbom/cyclonedx.ts';
import { readDpkgPackages } from '../sbom/dpkg-status.ts';
import { readDistro } from '../sbom/inventory.ts';
import { IngotError } from '../errors/ingot-error.ts';
import { aggregateFindings, fullSeverityCounts, severityCounts } from './aggregate.ts';
import { loadTrackerFeed } from './feed.ts';
import { DEBIAN_CODENAMES, matchVulnerabilities, type MatchOptions, type ScanPackage } from './match.ts';
import type { Severity } from './severity.ts';

/** Packages from a CycloneDX BOM Ingot wrote (source package and version are component properties). */
export function packagesFromCycloneDx(bom: unknown, file = 'CycloneDX BOM'): ScanPackage[] {
  const components = (bom as { components?: unknown }).components;
  if (!Array.isArray(components)) throw new IngotError('invalid-input', `${file}: no 'components' list`);
  return components.flatMap(
    (c: { name?: string; version?: string; purl?: string; properties?: Array<{ name: string; value: string }> }) => {
      if (!c.name || !c.version || !c.purl?.startsWith('pkg:deb/')) return [];
      const prop = (n: string) => c.properties?.find((p) => p.name === n)?.value;
      const arch = prop(CDX_PROPERTIES.architecture) ?? /[?&]arch=([^&]+)/.exec(c.purl)?.[1] ?? 'all';
      return [
        {
          name: c.name,
          version: c.version,
          architecture: arch,
          source: prop(CDX_PROPERTIES.source) ?? c.name,
          sourceVersion: prop(CDX_PROPERTIES.sourceVersion) ?? c.version,
        },
      ];
    },
  );
}

export interface ScanImageOptions extends Partial<MatchOptions> {
  /** Security tracker JSON file. */
  feedPath: string;
  /** Either the image's root file system... */
  rootfsDir?: string;
  /** ...or the CycloneDX SBOM Ingot wrote for it. */
  cycloneDxPath?: string;
  /** Where to write findings.json (optional). */
  outFile?: string;
}

export interface ImageFindingsReport {
  release: string;
  feed: string;
  packagesScanned: number;
  counts: Record<Severity, number>;
  severityCounts: SeverityCounts;
  findings: ImageScanFinding[];
  /** By vulnerability id, as ListImageScanFindingAggregations with that aggregation type answers. */
  aggregations: ImageScanFindingAggregation[];
}

/** Scans an image's packages against the feed; writes `outFile` when given. */
export async function scanImageVulnerabilities(opts: ScanImageOptions): Promise<ImageFindingsReport> {
  let packages: ScanPackage[];
  let release = opts.release;
  if (opts.cycloneDxPath) {
    packages = packagesFromCycloneDx(JSON.parse(await readFile(opts.cycloneDxPath, 'utf8')), opts.cycloneDxPath);
  } else if (opts.rootfsDir) {
    packages = await readDpkgPackages(opts.rootfsDir);
    release ??= DEBIAN_CODENAMES[(await readDistro(opts.rootfsDir)).versionId.split('.')[0] ?? ''];
  } else {
    throw new IngotError(
      'InvalidParameterCombinationException',
      'scanImageVulnerabilities needs rootfsDir or cycloneDxPath',
    );
  }
  release ??= 'bookworm';
  const feed = await loadTrackerFeed(opts.feedPath);
  const findings = matchVulnerabilities(packages, feed, { ...opts, release });
  const report: ImageFindingsReport = {
    release,
    feed: opts.feedPath,
    packagesScanned: packages.length,
    counts: fullSeverityCounts(findings),
    severityCounts: severityCounts(findings),
    findings,
    aggregations: aggregateFindings(findings, 'vulnerabilityId'),
  };
  if (opts.outFile) {
    await mkdir(dirname(opts.outFile), { recursive: true });
    await writeFile(opts.outFile, `${JSON.stringify(report, null, 2)}\n`);
  }
  return report;
}
