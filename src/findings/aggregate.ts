/**
 * @module Severity counts of findings, grouped as ListImageScanFindingAggregations does (by account, image,
 * pipeline or vulnerability), and the threshold check that fails an image.
 */
import type { ImageScanFinding, ImageScanFindingAggregation, SeverityCounts } from '../model/generated/shapes.ts';
import { IngotError } from '../errors/ingot-error.ts';
import { isSeverity, SEVERITY_RANK, SEVERITIES, type Severity } from './severity.ts';

export type AggregationType = 'accountId' | 'imageBuildVersionArn' | 'imagePipelineArn' | 'vulnerabilityId';

export function severityCounts(findings: readonly ImageScanFinding[]): SeverityCounts {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return { all: findings.length, critical: count('CRITICAL'), high: count('HIGH'), medium: count('MEDIUM') };
}

/** Every severity (the API's SeverityCounts has only all/critical/high/medium). */
export function fullSeverityCounts(findings: readonly ImageScanFinding[]): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<
    Severity,
    number
  >;
}

/** The `responses` of ListImageScanFindingAggregations for one aggregation type. */
export function aggregateFindings(
  findings: readonly ImageScanFinding[],
  type: AggregationType,
): ImageScanFindingAggregation[] {
  const keyOf = (f: ImageScanFinding): string => {
    switch (type) {
      case 'accountId':
        return f.awsAccountId ?? '';
      case 'vulnerabilityId':
        return f.packageVulnerabilityDetails?.vulnerabilityId ?? '';
      default:
        return f[type] ?? '';
    }
  };
  const groups = new Map<string, ImageScanFinding[]>();
  for (const f of findings) groups.set(keyOf(f), [...(groups.get(keyOf(f)) ?? []), f]);
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, group]) => {
      const severityCounts_ = severityCounts(group);
      switch (type) {
        case 'accountId':
          return { accountAggregation: { accountId: key, severityCounts: severityCounts_ } };
        case 'imageBuildVersionArn':
          return { imageAggregation: { imageBuildVersionArn: key, severityCounts: severityCounts_ } };
        case 'imagePipelineArn':
          return { imagePipelineAggregation: { imagePipelineArn: key, severityCounts: severityCounts_ } };
        case 'vulnerabilityId':
          return { vulnerabilityIdAggregation: { vulnerabilityId: key, severityCounts: severityCounts_ } };
      }
    });
}

export interface ThresholdResult {
  /** True when any finding is at or above the threshold: the image should fail. */
  fail: boolean;
  threshold: Severity;
  /** The findings at or above the threshold. */
  offending: ImageScanFinding[];
}

/** Whether an image fails a severity gate (`HIGH` fails on HIGH and CRITICAL; UNTRIAGED only fails on UNTRIAGED). */
export function checkSeverityThreshold(findings: readonly ImageScanFinding[], threshold: string): ThresholdResult {
  const t = threshold.toUpperCase();
  if (!isSeverity(t)) {
    throw new IngotError('invalid-input', `severity threshold '${threshold}' must be one of ${SEVERITIES.join(', ')}`);
  }
  const offending = findings.filter((f) => {
    const s = (f.severity ?? 'UNTRIAGED').toUpperCase();
    if (!isSeverity(s)) return false;
    return t === 'UNTRIAGED' ? true : SEVERITY_RANK[s] >= SEVERITY_RANK[t];
  });
  return { fail: offending.length > 0, threshold: t, offending };
}
