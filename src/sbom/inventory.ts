/**
 * @module The package inventory of a root file system: dpkg packages with licenses, purls and a
 * content checksum, plus the distribution from `etc/os-release`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DPKG_STATUS, readDpkgDatabase, type DebPackage } from './dpkg-status.ts';
import { readPackageLicenses, type PackageLicenses } from './licenses.ts';
import { resolveInInstance } from '../rootfs/resolve-path.ts';

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

export async function readDistro(rootfsDir: string): Promise<Distro> {
  const mapping = [{ instancePath: '/', hostPath: rootfsDir }];
  const file = await resolveInInstance(mapping, '/etc/os-release').catch(() => undefined);
  const text = file?.exists ? await readFile(file.hostPath, 'utf8').catch(() => '') : '';
  const field = (k: string) => new RegExp(`^${k}=["']?([^"'\\n]*)`, 'm').exec(text)?.[1] ?? '';
  return {
    id: field('ID') || 'debian',
    versionId: field('VERSION_ID') || 'unknown',
    prettyName: field('PRETTY_NAME') || field('NAME') || 'Linux',
  };
}

async function sha256Of(path: string): Promise<string | undefined> {
  const data = await readFile(path).catch(() => undefined);
  return data ? createHash('sha256').update(data).digest('hex') : undefined;
}

async function packageChecksum(
  rootfsDir: string,
  pkg: DebPackage,
): Promise<Pick<InventoryPackage, 'sha256' | 'checksumOf'>> {
  const info = join(rootfsDir, 'var/lib/dpkg/info');
  for (const kind of ['md5sums', 'list'] as const) {
    for (const base of [pkg.name, `${pkg.name}:${pkg.architecture}`]) {
      const sha256 = await sha256Of(join(info, `${base}.${kind}`));
      if (sha256) return { sha256, checksumOf: kind };
    }
  }
  return {};
}

/** Every installed dpkg package of `rootfsDir` with its licenses, purl and checksum (none when it has no dpkg database). */
export async function readInventory(rootfsDir: string): Promise<Inventory> {
  const [distro, debs] = await Promise.all([readDistro(rootfsDir), readDpkgDatabase(rootfsDir)]);
  const packages = await Promise.all(
    (debs ?? []).map(async (pkg): Promise<InventoryPackage> => {
      const [licenses, checksum] = await Promise.all([
        readPackageLicenses(rootfsDir, pkg.name),
        packageChecksum(rootfsDir, pkg),
      ]);
      return { ...pkg, purl: debPurl(pkg, distro), licenses, ...checksum };
    }),
  );
  return { distro, packages, ...(debs ? { packageDatabase: DPKG_STATUS } : {}) };
}
