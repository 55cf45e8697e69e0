/**
 * @module Sortable keys for resources: newest-version comparisons and keyset pagination work on
 * plain text ordering when every number is zero-padded.
 */
const pad = (n: number | string): string => String(n).padStart(10, '0');

/** `1.10.2` → `0000000001.0000000010.0000000002`, comparable as text. */
export function versionKey(version: string): string {
  return version.split('.').map(pad).join('.');
}

/** Between the parts of a sort key; sorts before every character of a name or account. */
export const SORT_KEY_SEPARATOR = '\u001f';

export function resourceSortKey(account: string, name: string, version: string | null, build: number | null): string {
  return [account, name, version === null ? '' : versionKey(version), build === null ? '' : pad(build)].join(
    SORT_KEY_SEPARATOR,
  );
}

/** The bounds (both exclusive) between which every sort key of `account` lies. */
export function accountRange(account: string): [string, string] {
  return [`${account}${SORT_KEY_SEPARATOR}`, `${account}${String.fromCharCode(SORT_KEY_SEPARATOR.charCodeAt(0) + 1)}`];
}

/** The key that follows every key starting with `prefix` (its last character bumped by one). */
const prefixEnd = (prefix: string): string =>
  prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

/**
 * Sort-key ranges of one name's builds: every version, the same major, the same major.minor and
 * the same major.minor.patch as `version` (`x.y.z`, whole numbers). The highest key in each is
 * the newest build of that scope.
 */
export function versionScopeRanges(account: string, name: string, version: string): [string, string][] {
  const [major, minor, patch] = versionKey(version).split('.');
  const base = `${account}${SORT_KEY_SEPARATOR}${name}${SORT_KEY_SEPARATOR}`;
  return [
    base,
    `${base}${major}.`,
    `${base}${major}.${minor}.`,
    `${base}${major}.${minor}.${patch}${SORT_KEY_SEPARATOR}`,
  ].map((prefix) => [prefix, prefixEnd(prefix)]);
}
