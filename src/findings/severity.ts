/** @module Finding severities (Inspector's names) and the Debian tracker urgency each one comes from. */

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Most severe first; UNTRIAGED ranks below INFORMATIONAL for thresholds (it is unknown, not harmless). */
export const SEVERITY_RANK: Record<Severity, number> = {
  CRITICAL: 5,
  HIGH: 4,
  MEDIUM: 3,
  LOW: 2,
  INFORMATIONAL: 1,
  UNTRIAGED: 0,
};

/**
 * The tracker's urgency (`high`, `medium`, `low`, `unimportant`, `not yet assigned`, `end-of-life`, with
 * optional `*`/`**` marks of a guess) as a severity. Debian has no "critical": a `high` issue the tracker
 * marks remote (`scope: remote`) is CRITICAL, as network-reachable high issues are in CVSS terms.
 */
export function severityForUrgency(urgency: string | undefined, scope?: string): Severity {
  const u = (urgency ?? '').replace(/\*+$/, '').trim().toLowerCase();
  switch (u) {
    case 'critical':
      return 'CRITICAL';
    case 'high':
      return scope === 'remote' ? 'CRITICAL' : 'HIGH';
    case 'medium':
      return 'MEDIUM';
    case 'low':
    case 'end-of-life':
      return 'LOW';
    case 'unimportant':
      return 'INFORMATIONAL';
    default:
      return 'UNTRIAGED';
  }
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}
