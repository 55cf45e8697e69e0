/**
 * @module Debian version comparison exactly as dpkg does it (`[epoch:]upstream[-revision]`, with `~`
 * sorting before everything, even the end of the string).
 */
import { IngotError } from '../errors/ingot-error.ts';

export interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

/** Splits `1:2.3-4` into epoch, upstream version and Debian revision (an IngotError when malformed). */
export function parseDebianVersion(text: string): DebianVersion {
  const v = text.trim();
  const colon = v.indexOf(':');
  let epoch = 0;
  if (colon >= 0) {
    const e = v.slice(0, colon);
    if (!/^\d+$/.test(e))
      throw new IngotError('invalid-input', `Debian version '${text}': epoch '${e}' is not a number`);
    epoch = Number(e);
  }
  const rest = v.slice(colon + 1);
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (!upstream || !/^\d/.test(upstream)) {
    throw new IngotError('invalid-input', `Debian version '${text}': the upstream version must start with a digit`);
  }
  if (/[^A-Za-z0-9.+~:-]/.test(upstream) || /[^A-Za-z0-9.+~]/.test(revision)) {
    throw new IngotError('invalid-input', `Debian version '${text}' has characters dpkg does not allow`);
  }
  return { epoch, upstream, revision };
}

/** dpkg's character order: `~` first, then the end of the part, then letters, then everything else. */
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/\d/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit and digit runs. */
function compareParts(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !/\d/.test(a[i]!)) || (j < b.length && !/\d/.test(b[j]!))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && /\d/.test(a[i]!) && j < b.length && /\d/.test(b[j]!)) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && /\d/.test(a[i]!)) return 1;
    if (j < b.length && /\d/.test(b[j]!)) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Negative, zero or positive like `dpkg --compare-versions a lt|eq|gt b`. */
export function compareDebianVersions(a: string, b: string): number {
  const va = parseDebianVersion(a);
  const vb = parseDebianVersion(b);
  if (va.epoch !== vb.epoch) return va.epoch - vb.epoch;
  return Math.sign(compareParts(va.upstream, vb.upstream)) || Math.sign(compareParts(va.revision, vb.revision));
}
