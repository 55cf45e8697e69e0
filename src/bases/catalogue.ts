/** @module The managed base images Ingot offers (what `ListImages --owner Amazon` shows for Linux). */

export const MANAGED_BASE_NAMES = ['debian-12', 'debian-13', 'debian-12-minimal'] as const;
export type ManagedBaseName = (typeof MANAGED_BASE_NAMES)[number];

export interface ManagedBase {
  name: ManagedBaseName;
  /** Last part of the image ARN, e.g. arn:...:image/debian-12-x86/2026.11.25. */
  arnNameSuffix: string;
  /** Debian suite (codename) it is bootstrapped from. */
  suite: string;
  /**
   * `cloud`: Debian's "important" set plus what Debian's cloud images carry (cloud-packages.ts);
   * `minbase`: essential packages and apt only, for container images that want it small.
   */
  variant: 'cloud' | 'minbase';
  osVersion: string;
  platform: 'Linux';
  architecture: 'x86_64';
  /** dpkg architecture used for the bootstrap. */
  debArch: 'amd64';
  description: string;
}

export const MANAGED_BASES: readonly ManagedBase[] = [
  {
    name: 'debian-12',
    arnNameSuffix: 'debian-12-x86',
    suite: 'bookworm',
    variant: 'cloud',
    osVersion: 'Debian 12',
    platform: 'Linux',
    architecture: 'x86_64',
    debArch: 'amd64',
    description: "Debian 12 (bookworm) with what Debian's cloud images carry, x86_64",
  },
  {
    name: 'debian-13',
    arnNameSuffix: 'debian-13-x86',
    suite: 'trixie',
    variant: 'cloud',
    osVersion: 'Debian 13',
    platform: 'Linux',
    architecture: 'x86_64',
    debArch: 'amd64',
    description: "Debian 13 (trixie) with what Debian's cloud images carry, x86_64",
  },
  {
    name: 'debian-12-minimal',
    arnNameSuffix: 'debian-12-minimal-x86',
    suite: 'bookworm',
    variant: 'minbase',
    osVersion: 'Debian 12',
    platform: 'Linux',
    architecture: 'x86_64',
    debArch: 'amd64',
    description: 'Debian 12 (bookworm) minbase (essential packages and apt only), x86_64',
  },
];

export function managedBase(name: string): ManagedBase | undefined {
  return MANAGED_BASES.find((b) => b.name === name);
}

/** Catalogue entries (static metadata; `ensureBaseImage` gives the built rootfs and its version). */
export function listBaseImages(): ManagedBase[] {
  return MANAGED_BASES.map((b) => ({ ...b }));
}
