/**
 * @module `ensureBaseImage`: a managed Debian base, bootstrapped once into `$INGOT_HOME/bases/`
 * and reused until it is older than `maxAgeDays` or a refresh is asked for. Its gzip container
 * base layer (base-layer-blob.ts) is not made here, on the path of every first build: `ingot bases
 * refresh` makes it beside the bootable-disk layer, and a container build that finds none makes it
 * while its components run (a disk build never needs it).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidRequest } from '../errors/ingot-error.ts';
import { syncPaths } from '../files/sync-tree.ts';
import { runCommand } from '../process/index.ts';
import { readAptMirror, readAptSecurityMirror } from './apt-sources.ts';
import { baseDefinitionKey, runMmdebstrap } from './bootstrap.ts';
import { MANAGED_BASE_NAMES, managedBase } from './catalogue.ts';
import type { ManagedBase, ManagedBaseName } from './catalogue.ts';
import { treeDigest } from './digest.ts';
import { withLock } from './lock.ts';
import { BUILDING_PREFIX, basesDir, pruneBases, readCurrentBase, switchCurrent } from './store.ts';
import type { BaseImage, BaseMetadata } from './store.ts';

export interface EnsureBaseOptions {
  ingotHome: string;
  /** Rebootstrap when the current one is older than this (default 7 days). */
  maxAgeDays?: number;
  /** Rebootstrap even if the current one is fresh. */
  refresh?: boolean;
  onProgress?: (line: string) => void;
  /** apt configuration directory the mirror is read from (default /etc/apt). */
  aptDir?: string;
}

export const DEFAULT_MAX_AGE_DAYS = 7;

const isFresh = (createdAt: string, maxAgeDays: number) => Date.now() - Date.parse(createdAt) < maxAgeDays * 86_400_000;

export async function ensureBaseImage(name: ManagedBaseName, opts: EnsureBaseOptions): Promise<BaseImage> {
  const base = managedBase(name);
  if (!base)
    throw invalidRequest(`unknown managed base image ${JSON.stringify(name)}; known: ${MANAGED_BASE_NAMES.join(', ')}`);
  const maxAge = opts.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS;
  const definition = baseDefinitionKey(base);
  // A base bootstrapped from another definition (an older package set) is never reused.
  const current = (meta: BaseMetadata, createdAt: string) =>
    meta.definition === definition && isFresh(createdAt, maxAge);
  const usable = async () => {
    const cur = await readCurrentBase(opts.ingotHome, name);
    return cur && !opts.refresh && current(cur.meta, cur.image.createdAt) ? cur.image : undefined;
  };
  const ready = await usable();
  if (ready) return ready;
  const dir = basesDir(opts.ingotHome, name);
  await mkdir(dir, { recursive: true });
  const startedAt = Date.now();
  return withLock(
    join(dir, '.lock'),
    async () => {
      // Someone else may have finished the same bootstrap while this caller waited for the lock.
      const done = await readCurrentBase(opts.ingotHome, name);
      if (
        done &&
        current(done.meta, done.image.createdAt) &&
        (!opts.refresh || Date.parse(done.image.createdAt) >= startedAt)
      )
        return done.image;
      await pruneBases(dir);
      return bootstrapBase(base, dir, opts);
    },
    { onWait: () => opts.onProgress?.(`waiting for another bootstrap of ${name} to finish`) },
  );
}

async function bootstrapBase(base: ManagedBase, dir: string, opts: EnsureBaseOptions): Promise<BaseImage> {
  const mirror = readAptMirror(opts.aptDir);
  const securityMirror = readAptSecurityMirror(opts.aptDir);
  const building = join(dir, `${BUILDING_PREFIX}${process.pid}-${Date.now()}`);
  await mkdir(building);
  try {
    const started = Date.now();
    opts.onProgress?.(`bootstrapping ${base.name} (${base.suite}) from ${mirror.uri}`);
    const rootfs = join(building, 'rootfs');
    await runMmdebstrap(base, rootfs, { mirror: mirror.uri, components: mirror.components, securityMirror }, (l) =>
      opts.onProgress?.(l),
    );
    // dpkg ran under eatmydata (bootstrap.ts): the tree is made durable here, in one syncfs of
    // its file system, while it is read for its digest, and before anything records it as ready.
    const durable = runCommand(['sync', '--file-system', rootfs]);
    durable.catch(() => {});
    const rootDigest = await treeDigest(rootfs);
    await durable;
    const createdAt = new Date().toISOString();
    const meta: BaseMetadata = {
      name: base.name,
      suite: base.suite,
      osVersion: base.osVersion,
      debianVersion: (await readFile(join(rootfs, 'etc/debian_version'), 'utf8')).trim(),
      architecture: base.architecture,
      version: createdAt.slice(0, 10).replaceAll('-', '.'),
      createdAt,
      digest: rootDigest,
      mirror: mirror.uri,
      ...(securityMirror ? { securityMirror } : {}),
      components: mirror.components,
      packageCount: countInstalled(await readFile(join(rootfs, 'var/lib/dpkg/status'), 'utf8')),
      bootstrapSeconds: Math.round((Date.now() - started) / 100) / 10,
      definition: baseDefinitionKey(base),
    };
    await writeFile(join(building, 'metadata.json'), `${JSON.stringify(meta, null, 2)}\n`);
    await syncPaths([join(building, 'metadata.json'), building]);
    const id = `${meta.version}-${meta.digest.slice('sha256:'.length, 'sha256:'.length + 12)}`;
    await rm(join(dir, id), { recursive: true, force: true }); // same content bootstrapped before: replace it
    await rename(building, join(dir, id));
    await syncPaths([dir]);
    await switchCurrent(dir, id);
    await syncPaths([dir]);
    opts.onProgress?.(`${base.name} ${meta.version} ready: ${meta.packageCount} packages, ${meta.digest}`);
    const { name, version, digest, osVersion } = meta;
    return { name, rootfsDir: join(dir, id, 'rootfs'), version, createdAt, digest, osVersion };
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}

/** Number of packages dpkg reports as installed. */
export function countInstalled(dpkgStatus: string): number {
  return dpkgStatus.split('\n').filter((l) => l === 'Status: install ok installed').length;
}
