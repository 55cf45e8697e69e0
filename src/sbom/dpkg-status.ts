/** @module Reads a root file system's dpkg database (`var/lib/dpkg/status`) into installed-package records. */
import { IngotError } from '../errors/ingot-error.ts';
import { ImageFileError, readImageText } from '../rootfs/read-image-file.ts';

/** Largest dpkg status file read (a big Debian install has a few MiB). */
const MAX_STATUS_BYTES = 256 * 1024 * 1024;

export interface DebPackage {
  name: string;
  version: string;
  architecture: string;
  /** Source package name (the `Source:` field, else the binary name). */
  source: string;
  /** Source version (from `Source: name (version)`, else the binary version). */
  sourceVersion: string;
  maintainer?: string;
  homepage?: string;
  /** First line of `Description:`. */
  summary?: string;
  installedSizeKiB?: number;
}

/** Splits a deb822 file into stanzas of field → value (continuation lines joined with '\n'). */
export function parseDeb822(text: string): Array<Map<string, string>> {
  const out: Array<Map<string, string>> = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    let last = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('#')) continue;
      if (/^[ \t]/.test(line)) {
        if (last) fields.set(last, `${fields.get(last) ?? ''}\n${line.trim()}`);
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      fields.set(last, line.slice(colon + 1).trim());
    }
    if (fields.size > 0) out.push(fields);
  }
  return out;
}

/** The status words that mean the package's files are on disk (what `dpkg-query -W` lists by default, minus removed ones). */
const ON_DISK = new Set([
  'installed',
  'half-configured',
  'unpacked',
  'half-installed',
  'triggers-awaited',
  'triggers-pending',
]);

export function packagesFromStatus(text: string, file = 'var/lib/dpkg/status'): DebPackage[] {
  const out: DebPackage[] = [];
  for (const f of parseDeb822(text)) {
    const name = f.get('package');
    const state = (f.get('status') ?? '').split(/\s+/)[2];
    if (!name || !state || !ON_DISK.has(state)) continue;
    const version = f.get('version');
    if (!version) throw new IngotError('invalid-input', `${file}: package '${name}' has no Version field`);
    const src = /^(\S+)(?:\s+\((\S+)\))?/.exec(f.get('source') ?? '');
    const size = Number(f.get('installed-size'));
    const pkg: DebPackage = {
      name,
      version,
      architecture: f.get('architecture') ?? 'all',
      source: src?.[1] ?? name,
      sourceVersion: src?.[2] ?? version,
    };
    const maintainer = f.get('maintainer');
    const homepage = f.get('homepage');
    const summary = f.get('description')?.split('\n')[0];
    if (maintainer) pkg.maintainer = maintainer;
    if (homepage) pkg.homepage = homepage;
    if (summary) pkg.summary = summary;
    if (Number.isFinite(size) && size > 0) pkg.installedSizeKiB = size;
    out.push(pkg);
  }
  return out.sort((a, b) =>
    a.name === b.name ? a.architecture.localeCompare(b.architecture) : a.name < b.name ? -1 : 1,
  );
}

/** Where dpkg keeps its database inside an image. */
export const DPKG_STATUS = '/var/lib/dpkg/status';

const ABSENT = new Set(['ENOENT', 'ENOTDIR']);

/**
 * Installed packages of the root file system at `rootfsDir`, or undefined when it has no dpkg
 * database (a non-Debian image). Symlinks resolve inside the image. A database that is there but
 * cannot be read or parsed is an IngotError whose one-line message names /var/lib/dpkg/status.
 */
export async function readDpkgDatabase(rootfsDir: string, signal?: AbortSignal): Promise<DebPackage[] | undefined> {
  const unreadable = (err: unknown) => {
    // Node's message without the host path: `EISDIR: illegal operation on a directory, read`.
    const reason = ((err as Error)?.message ?? String(err)).split('\n')[0]!.replace(/, \w+ '[^']*'$/, '');
    return new IngotError('invalid-input', `${DPKG_STATUS}: cannot be read (${reason})`, {
      cause: err,
    });
  };
  const text = await readImageText(rootfsDir, DPKG_STATUS, {
    maxBytes: MAX_STATUS_BYTES,
    ...(signal ? { signal } : {}),
  }).catch((err: unknown) => {
    if (ABSENT.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    if ((err as Error)?.name === 'AbortError') throw err;
    throw unreadable(err instanceof ImageFileError ? new Error(err.detail) : err);
  });
  return text === undefined ? undefined : packagesFromStatus(text, DPKG_STATUS);
}

/** Installed packages of the root file system at `rootfsDir` (an IngotError when it has no dpkg database). */
export async function readDpkgPackages(rootfsDir: string): Promise<DebPackage[]> {
  const packages = await readDpkgDatabase(rootfsDir);
  if (!packages)
    throw new IngotError(
      'invalid-input',
      `no dpkg database (${DPKG_STATUS}) in ${rootfsDir}: the image's packages are unknown`,
    );
  return packages;
}
