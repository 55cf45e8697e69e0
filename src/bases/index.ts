/** @module Managed base images: Debian 12/13 root file systems bootstrapped with mmdebstrap. */
export { ensureBaseImage, DEFAULT_MAX_AGE_DAYS } from './ensure.ts';
export type { EnsureBaseOptions } from './ensure.ts';
export type { BaseImage, BaseMetadata } from './store.ts';
export { readCurrentBase } from './store.ts';
export { MANAGED_BASES, MANAGED_BASE_NAMES, listBaseImages, managedBase } from './catalogue.ts';
export type { ManagedBase, ManagedBaseName } from './catalogue.ts';
export { readAptMirror, readAptSecurityMirror, readAptSources } from './apt-sources.ts';
