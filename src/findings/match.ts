/**
 * @module Matches installed Debian packages against security tracker data: a package is affected when
 * its source package has an issue for the release that is open, or resolved in a later version.
 */
import type { ImageScanFinding, VulnerablePackage } from '../model/generated/shapes.ts';
import { compareDebianVersions, parseDebianVersion } from './dpkg-version.ts';
import type { TrackerFeed, TrackerIssue } from './feed.ts';
import { severityForUrgency } from './severity.ts';

/** What the matcher needs of a package (an SBOM component or a dpkg status entry). */
export interface ScanPackage {
  name: string;
  version: string;
  architecture: string;
  source: string;
  sourceVersion: string;
}

export interface MatchOptions {
  /** Release codename in the tracker (`bookworm` for Debian 12). */
  release: string;
  imageBuildVersionArn?: string;
  imagePipelineArn?: string;
  awsAccountId?: string;
  /** When the scan ran (default now). */
  observedAt?: Date;
}

/** Debian major version → tracker codename. */
export const DEBIAN_CODENAMES: Record<string, string> = {
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
};

const TRACKER_URL = 'https://security-tracker.debian.org/tracker/';

/** Whether `installed` (a source version) is affected by an issue with this release entry; undefined when not. */
function affected(issue: TrackerIssue, release: string, installed: string): { fixedIn?: string } | undefined {
  const r = issue.releases[release];
  if (!r) return undefined;
  if (r.status === 'open' || r.status === 'undetermined') return {};
  if (r.status !== 'resolved' || !r.fixed_version || r.fixed_version === '0') return undefined;
  return compareDebianVersions(installed, r.fixed_version) < 0 ? { fixedIn: r.fixed_version } : undefined;
}

function vulnerablePackage(p: ScanPackage, fixedIn: string | undefined): VulnerablePackage {
  const v = parseDebianVersion(p.version);
  return {
    name: p.name,
    version: v.upstream,
    ...(v.revision ? { release: v.revision } : {}),
    epoch: v.epoch,
    arch: p.architecture,
    packageManager: 'OS',
    filePath: 'var/lib/dpkg/status',
    ...(fixedIn ? { fixedInVersion: fixedIn, remediation: `apt-get install --only-upgrade ${p.name}` } : {}),
  };
}

/** One finding per (vulnerability, source package), listing every installed binary built from that source. */
export function matchVulnerabilities(
  packages: readonly ScanPackage[],
  feed: TrackerFeed,
  opts: MatchOptions,
): ImageScanFinding[] {
  const observedAt = opts.observedAt ?? new Date();
  const bySource = new Map<string, ScanPackage[]>();
  for (const p of packages) bySource.set(p.source, [...(bySource.get(p.source) ?? []), p]);
  const findings: ImageScanFinding[] = [];
  for (const [source, binaries] of [...bySource].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const [id, issue] of Object.entries(feed[source] ?? {})) {
      const hits = binaries.flatMap((p) => {
        const hit = affected(issue, opts.release, p.sourceVersion);
        return hit ? [{ p, fixedIn: hit.fixedIn }] : [];
      });
      if (hits.length === 0) continue;
      const release = issue.releases[opts.release]!;
      const fixedIn = hits[0]!.fixedIn;
      const severity = severityForUrgency(release.urgency, issue.scope);
      findings.push({
        ...(opts.awsAccountId ? { awsAccountId: opts.awsAccountId } : {}),
        ...(opts.imageBuildVersionArn ? { imageBuildVersionArn: opts.imageBuildVersionArn } : {}),
        ...(opts.imagePipelineArn ? { imagePipelineArn: opts.imagePipelineArn } : {}),
        type: 'PACKAGE_VULNERABILITY',
        title: `${id} - ${hits.map((h) => h.p.name).join(', ')}`,
        description: issue.description ?? `${id} affects Debian source package ${source}.`,
        severity,
        firstObservedAt: observedAt,
        updatedAt: observedAt,
        remediation: {
          recommendation: {
            text: fixedIn
              ? `Upgrade ${source} to ${fixedIn} or later.`
              : `No fixed version of ${source} for ${opts.release} yet.`,
            url: `${TRACKER_URL}${id}`,
          },
        },
        packageVulnerabilityDetails: {
          vulnerabilityId: id,
          vulnerablePackages: hits.map((h) => vulnerablePackage(h.p, h.fixedIn)),
          source: 'DEBIAN_SECURITY_TRACKER',
          sourceUrl: `${TRACKER_URL}${id}`,
          vendorSeverity: release.urgency ?? 'not yet assigned',
          referenceUrls: [`${TRACKER_URL}${id}`, `${TRACKER_URL}source-package/${source}`],
        },
        fixAvailable: fixedIn ? 'YES' : 'NO',
      });
    }
  }
  return findings;
}
