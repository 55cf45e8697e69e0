/**
 * @module Debian security tracker data (the tracker's JSON export: source package → CVE → per-release
 * status), loaded from a file the user imports or points to, and checked for shape.
 */
import { settingFromEnv } from '../config/settings.ts';
import { copyFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { IngotError } from '../errors/ingot-error.ts';

export interface TrackerRelease {
  status: string;
  fixed_version?: string;
  urgency?: string;
  nodsa?: string;
}

export interface TrackerIssue {
  description?: string;
  scope?: string;
  debianbug?: number;
  releases: Record<string, TrackerRelease>;
}

/** Source package name → vulnerability id (CVE-…, TEMP-…) → issue. */
export type TrackerFeed = Record<string, Record<string, TrackerIssue>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the tracker's shape, naming the first entry that does not fit. */
export function parseTrackerFeed(data: unknown, source = 'feed'): TrackerFeed {
  if (!isObject(data))
    throw new IngotError(
      'invalid-input',
      `${source}: the security tracker feed must be a JSON object of source packages`,
    );
  for (const [pkg, issues] of Object.entries(data)) {
    if (!isObject(issues))
      throw new IngotError('invalid-input', `${source}: '${pkg}' must map vulnerability ids to issues`);
    for (const [id, issue] of Object.entries(issues)) {
      if (!isObject(issue) || !isObject(issue.releases)) {
        throw new IngotError('invalid-input', `${source}: '${pkg}' → '${id}' needs a 'releases' object`);
      }
      for (const [release, r] of Object.entries(issue.releases)) {
        if (!isObject(r) || typeof r.status !== 'string') {
          throw new IngotError(
            'invalid-input',
            `${source}: '${pkg}' → '${id}' → releases.${release} needs a string 'status'`,
          );
        }
        if (r.fixed_version !== undefined && typeof r.fixed_version !== 'string') {
          throw new IngotError(
            'invalid-input',
            `${source}: '${pkg}' → '${id}' → releases.${release}.fixed_version must be a string`,
          );
        }
      }
    }
  }
  return data as TrackerFeed;
}

/** Reads and checks a tracker JSON file. */
export async function loadTrackerFeed(path: string): Promise<TrackerFeed> {
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    throw new IngotError('invalid-input', `cannot read the security tracker feed ${path}`, {
      cause: err,
    });
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new IngotError('invalid-input', `security tracker feed ${path} is not JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return parseTrackerFeed(data, path);
}

/** Where an imported feed is kept: `$INGOT_HOME/findings/debian-security-tracker.json`. */
export function importedFeedPath(ingotHome: string): string {
  return join(ingotHome, 'findings', 'debian-security-tracker.json');
}

/**
 * Imports a tracker JSON file (checked first) as the feed builds use: a feed named by `INGOT_SECURITY_FEED`
 * or a build option is used in place; otherwise the imported copy. Returns the path it was written to.
 */
export async function importTrackerFeed(
  source: string,
  ingotHome: string,
): Promise<{ path: string; sourcePackages: number }> {
  const feed = await loadTrackerFeed(source);
  const dest = importedFeedPath(ingotHome);
  await mkdir(dirname(dest), { recursive: true });
  await copyFile(source, `${dest}.tmp`);
  await rename(`${dest}.tmp`, dest);
  return { path: dest, sourcePackages: Object.keys(feed).length };
}

/**
 * The feed to scan with: an explicit path (option, or the INGOT_SECURITY_FEED setting), else
 * `env`'s INGOT_SECURITY_FEED, else the imported one (undefined when none).
 */
export async function resolveFeedPath(
  ingotHome: string,
  explicit?: string,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<string | undefined> {
  const named = explicit || settingFromEnv('securityFeed', env);
  if (named) return named;
  const imported = importedFeedPath(ingotHome);
  return (await stat(imported).then(
    () => true,
    () => false,
  ))
    ? imported
    : undefined;
}
