/**
 * @module Says when a failed script uses another distribution's package tools than the image has
 * (yum/dnf/rpm on Amazon Linux and RHEL, zypper on SUSE, amazon-linux-extras), so the summary names
 * the cause instead of a later symptom.
 */
import type { ActionContext } from '../define.ts';

const FAMILIES: Record<string, string> = {
  yum: 'Red Hat-family systems (Amazon Linux, RHEL, CentOS, Fedora)',
  dnf: 'Red Hat-family systems (Amazon Linux 2023, RHEL, Fedora)',
  'amazon-linux-extras': 'Amazon Linux 2',
  zypper: 'SUSE Linux',
  rpm: 'RPM-based systems (Amazon Linux, RHEL, SUSE)',
};

/** The foreign tools a script calls, in the order they first appear. */
export function foreignTools(script: string): string[] {
  const found = new Set<string>();
  const re = /(?:^|[\s;&|(`])(?:sudo\s+(?:-\S+\s+)*)?(yum|dnf|zypper|amazon-linux-extras|rpm)(?=\s|$|;)/gm;
  for (const m of script.matchAll(re)) found.add(m[1]!);
  return [...found];
}

/** A sentence naming the tools the image lacks and what it is, or '' when nothing is foreign. */
export async function foreignDistroHint(ctx: ActionContext, script: string): Promise<string> {
  const tools = foreignTools(script);
  if (tools.length === 0) return '';
  const probe = await ctx.instance
    .exec({
      argv: [
        '/bin/sh',
        '-c',
        '. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-unknown}"; for t in "$@"; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done; command -v apt-get >/dev/null 2>&1 && echo @apt',
        'sh',
        ...tools,
      ],
      signal: ctx.signal,
    })
    .catch(() => undefined);
  if (probe?.exitCode !== 0) return '';
  const [image = 'unknown', ...rest] = probe.stdout.trim().split('\n');
  const missing = rest.filter((t) => t !== '@apt');
  if (missing.length === 0) return '';
  const what = missing.map((t) => `${t} (${FAMILIES[t]})`).join(', ');
  const instead = rest.includes('@apt') ? '; use apt-get on this image, or a parent image of that distribution' : '';
  return `This document targets another distribution: it uses ${what}, which the image (${image}) does not have${instead}.`;
}
