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
