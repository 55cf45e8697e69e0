/**
 * @module Reads the host's apt sources (one-line `*.list` and deb822 `*.sources`) to find the
 * Debian mirror managed base images are bootstrapped from; no mirror host is ever hard-coded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IngotError } from '../errors/ingot-error.ts';

export interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  file: string;
}

/** Parses `deb [opts] uri suite comp...` lines. */
export function parseOneLineSources(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({
      types: [m[1] ?? ''],
      uris: [m[2] ?? ''],
      suites: [m[3] ?? ''],
      components: (m[4] ?? '').split(/\s+/).filter(Boolean),
      file,
    });
  }
  return out;
}

/** Parses deb822 stanzas (`Types:`, `URIs:`, `Suites:`, `Components:`, `Enabled:`). */
export function parseDeb822Sources(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      if (/^\s/.test(line) && last) fields.set(last, `${fields.get(last)} ${line.trim()}`);
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) fields.set((last = (m[1] ?? '').toLowerCase()), m[2] ?? '');
    }
    if ((fields.get('enabled') ?? 'yes').trim().toLowerCase() === 'no') continue;
    const list = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    if (list('types').length && list('uris').length && list('suites').length) {
      out.push({
        types: list('types'),
        uris: list('uris'),
        suites: list('suites'),
        components: list('components'),
        file,
      });
    }
  }
  return out;
}

/** All enabled sources under an apt configuration directory (default `/etc/apt`). */
export function readAptSources(aptDir = '/etc/apt'): AptSource[] {
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };
  const out: AptSource[] = [];
  const main = read(join(aptDir, 'sources.list'));
  if (main !== undefined) out.push(...parseOneLineSources(main, join(aptDir, 'sources.list')));
  let names: string[] = [];
  try {
    names = readdirSync(join(aptDir, 'sources.list.d')).sort();
  } catch {
    /* no directory */
  }
  for (const name of names) {
    const p = join(aptDir, 'sources.list.d', name);
    const text = name.endsWith('.list') || name.endsWith('.sources') ? read(p) : undefined;
    if (text === undefined) continue;
    out.push(...(name.endsWith('.list') ? parseOneLineSources(text, p) : parseDeb822Sources(text, p)));
  }
  return out;
}

const usable = (uri: string) => /^(https?|file):/.test(uri);
const isSecurity = (s: AptSource, uri: string) =>
  uri.includes('security') || s.suites.every((x) => /[-/]security$/.test(x));

/** The Debian archive mirror (not the security one) apt on this host uses. */
export function readAptMirror(aptDir = '/etc/apt'): { uri: string; components: string[] } {
  for (const s of readAptSources(aptDir)) {
    if (!s.types.includes('deb')) continue;
    const uri = s.uris.find((u) => usable(u) && !isSecurity(s, u));
    if (uri && looksLikeDebian(s))
      return { uri: uri.replace(/\/+$/, ''), components: s.components.length ? s.components : ['main'] };
  }
  throw new IngotError('unavailable', `no Debian mirror found in ${aptDir}/sources.list or ${aptDir}/sources.list.d`, {
    description:
      'Managed base images are bootstrapped from the Debian mirror apt is configured with; add one (e.g. a deb822 debian.sources).',
  });
}

/** The security archive apt on this host uses, if any. */
export function readAptSecurityMirror(aptDir = '/etc/apt'): string | undefined {
  for (const s of readAptSources(aptDir)) {
    const uri = s.types.includes('deb') ? s.uris.find((u) => usable(u) && isSecurity(s, u)) : undefined;
    if (uri && looksLikeDebian(s)) return uri.replace(/\/+$/, '');
  }
  return undefined;
}

/** Debian suites only: a third-party repository (nodesource, cloud-sdk) is never a base mirror. */
const DEBIAN_SUITES = /^(buster|bullseye|bookworm|trixie|forky|duke|sid|unstable|testing|stable|oldstable)([-/].*)?$/;
const looksLikeDebian = (s: AptSource) => s.suites.some((x) => DEBIAN_SUITES.test(x));
