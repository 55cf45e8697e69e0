/**
 * @module Package licenses from Debian's machine-readable copyright files (DEP-5 `License:` fields in
 * `usr/share/doc/PKG/copyright`), mapped to SPDX identifiers where Debian's short name has one.
 */
import { ImageFileError, readImageText } from '../rootfs/read-image-file.ts';

/** Largest copyright file read (a hostile image can plant huge files, FIFOs and device links). */
const MAX_COPYRIGHT_BYTES = 4 * 1024 * 1024;
import { parseDeb822 } from './dpkg-status.ts';

/** Debian short names (copyright-format 1.0, "License specification") whose SPDX identifier differs. */
const DEBIAN_TO_SPDX: Record<string, string> = {
  expat: 'MIT',
  mit: 'MIT',
  'bsd-2-clause': 'BSD-2-Clause',
  'bsd-3-clause': 'BSD-3-Clause',
  'bsd-4-clause': 'BSD-4-Clause',
  isc: 'ISC',
  zlib: 'Zlib',
  'apache-2.0': 'Apache-2.0',
  artistic: 'Artistic-1.0',
  'artistic-2.0': 'Artistic-2.0',
  'cc0-1.0': 'CC0-1.0',
  'mpl-1.1': 'MPL-1.1',
  'mpl-2.0': 'MPL-2.0',
  'python-2.0': 'Python-2.0',
  'zope-2.1': 'ZPL-2.1',
  perl: 'Artistic-1.0-Perl OR GPL-1.0-or-later',
  x11: 'X11',
  openssl: 'OpenSSL',
  'unicode-dfs-2016': 'Unicode-DFS-2016',
};
/** GNU families: `GPL-2`, `GPL-2+`, `LGPL-2.1+`, `AGPL-3`, `GFDL-1.3+`. */
const GNU = /^(a?gpl|lgpl|gfdl)-(\d(?:\.\d)?)(\+?)$/;
/** The versions SPDX has identifiers for (others stay Debian-only LicenseRefs). */
const GNU_VERSIONS: Record<string, string[]> = {
  gpl: ['1', '2', '3'],
  lgpl: ['2', '2.1', '3'],
  agpl: ['1', '3'],
  gfdl: ['1.1', '1.2', '1.3'],
};

/** The SPDX expression for one Debian short license name, or undefined when it has none. */
export function spdxForDebianLicense(short: string): string | undefined {
  const key = short.trim().toLowerCase();
  const direct = DEBIAN_TO_SPDX[key];
  if (direct) return direct;
  const m = GNU.exec(key);
  if (!m || !GNU_VERSIONS[m[1]!]?.includes(m[2]!.replace(/\.0$/, ''))) return undefined;
  const family = m[1]!.toUpperCase();
  const version = m[2]!.includes('.') ? m[2]! : `${m[2]}.0`;
  return `${family}-${version}-${m[3] ? 'or-later' : 'only'}`;
}

export interface PackageLicenses {
  /** Short names exactly as the copyright file writes them (`GPL-2+`, `public-domain`...), deduplicated. */
  debian: string[];
  /** Each short name as SPDX: an identifier/expression, or `LicenseRef-debian-<name>` when SPDX has none. */
  spdx: string[];
}

/** A license-ref id from a Debian short name (SPDX idstring: letters, digits, '.', '-'). */
export function licenseRefFor(short: string): string {
  return `LicenseRef-debian-${
    short
      .trim()
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'unknown'
  }`;
}

/** Short names of every `License:` field of a DEP-5 file; undefined when the file is not machine-readable. */
export function licensesFromCopyright(text: string): string[] | undefined {
  const stanzas = parseDeb822(text);
  const header = stanzas[0];
  if (!header || !/copyright-format|dep-?5/i.test(header.get('format') ?? '')) return undefined;
  const names = new Set<string>();
  for (const s of stanzas) {
    if (!s.has('files')) continue;
    const first = (s.get('license') ?? '').split('\n')[0]!.trim();
    // `GPL-2+ or Artistic`, `BSD-3-clause and MIT`, `(LGPL-2.1+ or GPL-3)`
    for (const part of first.replace(/[(),]/g, ' ').split(/\s+(?:or|and)\s+|\s+with\s+\S+\s+exception/i)) {
      const name = part.trim();
      if (name && !/^(or|and)$/i.test(name)) names.add(name);
    }
  }
  return [...names];
}

/** Licenses of package `name` from its copyright file inside `rootfsDir`; empty lists when unknown. */
export async function readPackageLicenses(
  rootfsDir: string,
  name: string,
  signal?: AbortSignal,
): Promise<PackageLicenses> {
  const text = name.includes('/')
    ? undefined
    : await readImageText(rootfsDir, `/usr/share/doc/${name}/copyright`, {
        maxBytes: MAX_COPYRIGHT_BYTES,
        ...(signal ? { signal } : {}),
      }).catch((err: unknown) => {
        if (err instanceof ImageFileError || (err as NodeJS.ErrnoException).code) return undefined;
        throw err;
      });
  const debian = text === undefined ? [] : (licensesFromCopyright(text) ?? []);
  return { debian, spdx: debian.map((d) => spdxForDebianLicense(d) ?? licenseRefFor(d)) };
}
