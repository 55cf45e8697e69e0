/**
 * @module The package inventory of a root file system: dpkg packages with licenses, purls and a
 * content checksum, plus the distribution from `etc/os-release`.
 */
import { createHash } from 'node:crypto';
import { DPKG_STATUS, readDpkgDatabase, type DebPackage } from './dpkg-status.ts';
import { readPackageLicenses, type PackageLicenses } from './licenses.ts';
import { ImageFileError, readImageFile, readImageText } from '../rootfs/read-image-file.ts';

/** Caps on what the host reads from an image (a hostile image can plant huge files, FIFOs and device links). */
export const SBOM_READ_LIMITS = { osRelease: 64 * 1024, fileList: 64 * 1024 * 1024 } as const;
/** Packages read at once (each reads a copyright file and hashes a file list). */
const PARALLEL = 32;

export interface InventoryPackage extends DebPackage {
  purl: string;
  licenses: PackageLicenses;
  /**
   * sha256 of the package's `var/lib/dpkg/info/NAME.md5sums` (the per-file digests dpkg recorded from the
   * .deb, so it identifies the shipped content and ignores later config edits); packages without files
   * to sum (metapackages) use their `NAME.list` file list instead.
   */
  sha256?: string;
  checksumOf?: 'md5sums' | 'list';
}

export interface Distro {
  /** `debian` */
  id: string;
  /** `12` */
  versionId: string;
  prettyName: string;
}

export interface Inventory {
  distro: Distro;
  packages: InventoryPackage[];
  /** The package database the packages come from; absent when the image has none (not Debian-family). */
  packageDatabase?: string;
}

/** `pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=debian-12` (name and version percent-encoded as purl requires). */
export function debPurl(pkg: Pick<DebPackage, 'name' | 'version' | 'architecture'>, distro: Distro): string {
  const ns = encodeURIComponent(distro.id || 'debian');
  const qualifiers = `arch=${encodeURIComponent(pkg.architecture)}&distro=${encodeURIComponent(`${distro.id}-${distro.versionId}`)}`;
  return `pkg:deb/${ns}/${encodeURIComponent(pkg.name)}@${encodeURIComponent(pkg.version)}?${qualifiers}`;
}

export async function readDistro(rootfsDir: string, signal?: AbortSignal): Promise<Distro> {
  const text =
    (await readImageText(rootfsDir, '/etc/os-release', {
      maxBytes: SBOM_READ_LIMITS.osRelease,
      ...(signal ? { signal } : {}),
    }).catch(refusedOnly)) ?? '';
  const field = (k: string) => new RegExp(`^${k}=["']?([^"'\\n]*)`, 'm').exec(text)?.[1] ?? '';
  return {
    id: field('ID') || 'debian',
    versionId: field('VERSION_ID') || 'unknown',
    prettyName: field('PRETTY_NAME') || field('NAME') || 'Linux',
  };
}

/** A file the image has but the host refuses to read (FIFO, device, too large, link loop) counts as absent. */
function refusedOnly(err: unknown): undefined {
  if (err instanceof ImageFileError) return undefined;
  throw err;
}

type DirCache = NonNullable<Parameters<typeof readImageFile>[2]['dirCache']>;

async function sha256Of(
  rootfsDir: string,
  path: string,
  signal: AbortSignal | undefined,
  dirCache: DirCache,
): Promise<string | undefined> {
  const hash = createHash('sha256');
  const data = await readImageFile(rootfsDir, path, {
    maxBytes: SBOM_READ_LIMITS.fileList,
    dirCache,
    onChunk: (c) => hash.update(c),
    ...(signal ? { signal } : {}),
  }).catch(refusedOnly);
  return data ? hash.digest('hex') : undefined;
}

async function packageChecksum(
  rootfsDir: string,
  pkg: DebPackage,
  signal: AbortSignal | undefined,
  dirCache: DirCache,
): Promise<Pick<InventoryPackage, 'sha256' | 'checksumOf'>> {
  if (pkg.name.includes('/')) return {};
  for (const kind of ['md5sums', 'list'] as const) {
    for (const base of [pkg.name, `${pkg.name}:${pkg.architecture}`]) {
      const sha256 = await sha256Of(rootfsDir, `/var/lib/dpkg/info/${base}.${kind}`, signal, dirCache);
      if (sha256) return { sha256, checksumOf: kind };
    }
  }
  return {};
}

/** Every installed dpkg package of `rootfsDir` with its licenses, purl and checksum (none when it has no dpkg database). */
export async function readInventory(rootfsDir: string, signal?: AbortSignal): Promise<Inventory> {
  const [distro, debs] = await Promise.all([readDistro(rootfsDir, signal), readDpkgDatabase(rootfsDir, signal)]);
  const packages: InventoryPackage[] = [];
  const dirCache: DirCache = new Map();
  const all = debs ?? [];
  for (let i = 0; i < all.length; i += PARALLEL) {
    const batch = await Promise.all(
      all.slice(i, i + PARALLEL).map(async (pkg): Promise<InventoryPackage> => {
        const [licenses, checksum] = await Promise.all([
          readPackageLicenses(rootfsDir, pkg.name, signal),
          packageChecksum(rootfsDir, pkg, signal, dirCache),
        ]);
        return { ...pkg, purl: debPurl(pkg, distro), licenses, ...checksum };
      }),
    );
    packages.push(...batch);
  }
  return { distro, packages, ...(debs ? { packageDatabase: DPKG_STATUS } : {}) };
}
