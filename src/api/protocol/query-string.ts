/** @module Splits a raw query string into decoded (key, value) pairs, exactly and without guessing. */
import { validation } from '../../errors/ingot-error.ts';

export interface QueryPair {
  key: string;
  value: string;
}

/** Percent-decodes; `+` stays a literal plus (AWS clients always encode spaces as %20). Throws URIError. */
export function percentDecode(text: string): string {
  return text.includes('%') ? decodeURIComponent(text) : text;
}

/** Like percentDecode but returns the raw text when it is not valid percent-encoding. */
export function lenientPercentDecode(text: string): string {
  try {
    return percentDecode(text);
  } catch {
    return text;
  }
}

/** Raw `a=1&b=2&b=3` (no leading `?`) as pairs; `decode` picks strict or lenient decoding. */
export function parseQuery(raw: string, decode: (text: string) => string = percentDecode): QueryPair[] {
  if (raw === '') return [];
  const pairs: QueryPair[] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push({ key: decode(key), value: decode(value) });
  }
  return pairs;
}

/** Strict parseQuery: bad percent-encoding is a ValidationException naming the parameter. */
export function parseQueryStrict(raw: string): QueryPair[] {
  try {
    return parseQuery(raw);
  } catch {
    const bad =
      raw.split('&').find((part) => {
        try {
          percentDecode(part);
          return false;
        } catch {
          return true;
        }
      }) ?? raw;
    throw validation(
      `1 validation error detected: Value '${bad.slice(0, 256)}' at 'queryString' failed to satisfy constraint: ` +
        'Member must be valid percent-encoded UTF-8',
    );
  }
}

/** Splits a request target (`/path?query`) into its raw path and raw query. */
export function splitTarget(target: string): { rawPath: string; rawQuery: string } {
  let rest = target;
  if (!rest.startsWith('/')) {
    // absolute-form (`http://host/path`): keep only the path and query
    const schemeEnd = rest.indexOf('://');
    const pathStart = schemeEnd < 0 ? -1 : rest.indexOf('/', schemeEnd + 3);
    rest = pathStart < 0 ? '/' : rest.slice(pathStart);
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  return q < 0 ? { rawPath: rest, rawQuery: '' } : { rawPath: rest.slice(0, q), rawQuery: rest.slice(q + 1) };
}
