/**
 * @module `latestVersionReferences` of the Create and Get responses (components, image and container
 * recipes, images): the newest resource of the same name and account overall, with the same major,
 * the same major.minor and the same major.minor.patch version. For types with build numbers each
 * reference is the newest build of that version (a build version ARN); recipes have no builds.
 * (AWS documents the fields but not the exact ARN form; Ingot names the concrete resource, which
 * GetComponent/GetImage/Get*Recipe accept as is.)
 */
import { parseArn } from '../../arn/arn.ts';
import type { LatestVersionReferences } from '../../model/generated/shapes.ts';
import { versionScopeRanges } from '../../store/sort-key.ts';
import type { ResourceRecord, ResourceType, SortKeyRange } from '../../store/types.ts';
import { compareVersions, isWildcard, parseVersion, type VersionTriple } from '../../versions/semver.ts';
import { checkArn, readResource } from './access.ts';
import { MANAGED_ACCOUNT, type ServiceContext } from './context.ts';

interface Candidate {
  arn: string;
  triple: VersionTriple;
  build: number;
}

const newer = (a: Candidate, b: Candidate | undefined): boolean =>
  !b || compareVersions(a.triple, b.triple) > 0 || (compareVersions(a.triple, b.triple) === 0 && a.build > b.build);

export async function latestVersionReferences(
  ctx: ServiceContext,
  type: ResourceType,
  arn: string,
): Promise<LatestVersionReferences | undefined> {
  const parsed = parseArn(arn, 'arn', type);
  if (parsed.version === undefined) return undefined;
  const own = parseVersion(parsed.version);
  // The caller sees every build of its own names and of the managed ones: the newest of each
  // scope is the highest sort key under its prefix, one index seek each however many builds.
  if (parsed.account === ctx.accountId || parsed.account === MANAGED_ACCOUNT) {
    const [all, major, minor, patch] = await ctx.store.resources.newestInRanges(
      type,
      parsed.region,
      versionScopeRanges(parsed.account, parsed.name, own.join('.')),
    );
    if (!all) return undefined;
    return {
      latestVersionArn: all,
      ...(major ? { latestMajorVersionArn: major } : {}),
      ...(minor ? { latestMinorVersionArn: minor } : {}),
      ...(patch ? { latestPatchVersionArn: patch } : {}),
    };
  }
  const rows = await ctx.store.resources.versions(type, [parsed.account], parsed.region, parsed.name);
  // Another account's resource: only the builds shared with the caller are named.
  const visible = async (a: string) =>
    parsed.account === ctx.accountId ||
    parsed.account === MANAGED_ACCOUNT ||
    ctx.store.shares.isSharedWith(a, ctx.accountId);
  let all: Candidate | undefined;
  let major: Candidate | undefined;
  let minor: Candidate | undefined;
  let patch: Candidate | undefined;
  for (const row of rows) {
    if (!(await visible(row.arn))) continue;
    const c = { arn: row.arn, triple: parseVersion(row.version), build: row.build ?? 0 };
    if (newer(c, all)) all = c;
    if (c.triple[0] !== own[0]) continue;
    if (newer(c, major)) major = c;
    if (c.triple[1] !== own[1]) continue;
    if (newer(c, minor)) minor = c;
    if (c.triple[2] === own[2] && newer(c, patch)) patch = c;
  }
  if (!all) return undefined;
  return {
    latestVersionArn: all.arn,
    ...(major ? { latestMajorVersionArn: major.arn } : {}),
    ...(minor ? { latestMinorVersionArn: minor.arn } : {}),
    ...(patch ? { latestPatchVersionArn: patch.arn } : {}),
  };
}

/** `{ latestVersionReferences }` for spreading into a response, or nothing when there is none. */
export async function latestRefs(
  ctx: ServiceContext,
  type: ResourceType,
  arn: string,
): Promise<{ latestVersionReferences?: LatestVersionReferences }> {
  const refs = await latestVersionReferences(ctx, type, arn);
  return refs ? { latestVersionReferences: refs } : {};
}

/**
 * The Get* operations' read: the resource named by `arn` (as `readResource` loads it) and its
 * `latestVersionReferences`. A concrete ARN of the caller's own or a managed resource is read in
 * one store call (one round trip on PostgreSQL); wildcards, version ARNs of builds and other
 * accounts' resources take `readResource` and then `latestRefs`.
 */
export async function readWithLatestRefs<Doc>(
  ctx: ServiceContext,
  arn: string,
  field: string,
  type: ResourceType,
): Promise<{ record: ResourceRecord<Doc>; latest: { latestVersionReferences?: LatestVersionReferences } }> {
  const parsed = checkArn(ctx, arn, field, type);
  const concrete =
    parsed.version !== undefined &&
    !isWildcard(parsed.version) &&
    (parsed.build !== undefined || (type !== 'component' && type !== 'image')) &&
    (parsed.account === ctx.accountId || parsed.account === MANAGED_ACCOUNT);
  const ranges = concrete ? scopeRangesOf(parsed.account, parsed.name, parsed.version!) : undefined;
  if (ranges) {
    const found = await ctx.store.resources.getWithNewest<Doc>(arn, ranges);
    if (found) {
      const [all, major, minor, patch] = found.newest;
      const refs: LatestVersionReferences | undefined = all
        ? {
            latestVersionArn: all,
            ...(major ? { latestMajorVersionArn: major } : {}),
            ...(minor ? { latestMinorVersionArn: minor } : {}),
            ...(patch ? { latestPatchVersionArn: patch } : {}),
          }
        : undefined;
      return { record: found.record, latest: refs ? { latestVersionReferences: refs } : {} };
    }
    // Not there: readResource below answers with the right error.
  }
  const record = await readResource<Doc>(ctx, arn, field, type);
  return { record, latest: await latestRefs(ctx, type, record.arn) };
}

/** The four scopes' sort-key ranges, or undefined for a version that is no plain x.y.z (the slow path answers). */
function scopeRangesOf(account: string, name: string, version: string): SortKeyRange[] | undefined {
  try {
    return versionScopeRanges(account, name, parseVersion(version).join('.'));
  } catch {
    return undefined;
  }
}
