/**
 * @module Turns a build's parent into read-only layer directories to stack under the build:
 * a managed Debian base (bootstrapped once and cached), a rootfs tarball or an OCI image
 * (unpacked once into `$INGOT_HOME/parents/<digest>`), or an earlier Ingot image's layers.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureBaseImage } from '../bases/index.ts';
import { IngotError } from '../errors/ingot-error.ts';
import type { ImageRuntimeConfig } from '../oci/image/config.ts';
import { readOciImage } from '../oci/image/read-image.ts';
import { applyLayer } from '../oci/layer/apply.ts';
import { CommandFailed, runCommand } from '../process/index.ts';
import type { ParentSpec } from './request.ts';

export interface ResolvedParent {
  /** Read-only layers, topmost first (as overlayfs lowerdir wants them). */
  lowerDirs: string[];
  /** Identifies the parent's content (first link of every cache key). */
  key: string;
  osVersion: string;
  /** Where a container image's base layer can be made from (the merged parent tree). */
  rootDir: string | undefined;
  /** Image config inherited from an OCI parent (Env, Cmd...). */
  runtime?: ImageRuntimeConfig;
  description: string;
  /** A managed base's version dir (where its bootable-disk layers are kept, src/bases/boot-layers.ts). */
  baseDir?: string;
}

export interface ParentOptions {
  home: string;
  /** Where managed bases are cached (default `home`). */
  basesHome?: string | undefined;
  onProgress?: (line: string) => void;
  /** Rebootstrap managed bases older than this many days. */
  baseMaxAgeDays?: number;
}

export async function resolveParent(spec: ParentSpec, opts: ParentOptions): Promise<ResolvedParent> {
  switch (spec.type) {
    case 'managed': {
      const base = await ensureBaseImage(spec.base, {
        ingotHome: opts.basesHome ?? opts.home,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.baseMaxAgeDays !== undefined ? { maxAgeDays: opts.baseMaxAgeDays } : {}),
      });
      return {
        lowerDirs: [base.rootfsDir],
        key: base.digest,
        osVersion: base.osVersion,
        rootDir: base.rootfsDir,
        baseDir: dirname(base.rootfsDir),
        description: `${spec.base} ${base.version} (${base.digest.slice(0, 19)})`,
      };
    }
    case 'rootfs-tarball':
      return unpackTarball(spec.path, opts.home);
    case 'oci':
      return unpackOci(spec.reference, opts.home);
    case 'layers':
      return {
        lowerDirs: spec.lowerDirs,
        key: spec.key,
        osVersion: spec.osVersion ?? 'Linux',
        rootDir: undefined,
        description: `earlier image ${spec.key.slice(0, 19)}`,
      };
  }
}

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** Unpacks into `$INGOT_HOME/parents/<hex>/rootfs` once (temp dir + rename, so a crash leaves nothing half-made). */
async function unpackOnce(home: string, digest: string, fill: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(home, 'parents', digest.replace('sha256:', ''));
  const rootfs = join(dir, 'rootfs');
  if (await exists(rootfs)) return rootfs;
  const tmp = `${dir}.partial-${process.pid}-${Date.now()}`;
  await mkdir(join(tmp, 'rootfs'), { recursive: true });
  try {
    await fill(join(tmp, 'rootfs'));
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return rootfs;
}

async function unpackTarball(path: string, home: string): Promise<ResolvedParent> {
  if (!(await exists(path)))
    throw new IngotError('invalid-input', `parentImage: the rootfs tarball '${path}' does not exist`);
  const digest = await fileDigest(path);
  const rootfs = await unpackOnce(home, digest, (dir) => untar(path, dir));
  return {
    lowerDirs: [rootfs],
    key: digest,
    osVersion: 'Linux',
    rootDir: rootfs,
    description: `rootfs tarball ${path}`,
  };
}

async function untar(file: string, dir: string): Promise<void> {
  await runCommand(['tar', '--numeric-owner', '--xattrs', '--xattrs-include=*', '-xpf', file, '-C', dir], {
    ignoreStdout: true,
  }).catch((err: unknown) => {
    if (!(err instanceof CommandFailed) || err.startError) throw err;
    throw new IngotError('invalid-input', `parentImage: cannot unpack '${file}': ${err.stderrTail.slice(0, 500)}`);
  });
}

/** `oci:DIR[:TAG]` or `oci-archive:FILE[:TAG]`. */
function parseOciReference(reference: string): { path: string; tag?: string } {
  const body = reference.replace(/^oci(-archive)?:/, '');
  const m = /^(.*?)(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$/.exec(body)!;
  return m[2] ? { path: m[1]!, tag: m[2] } : { path: m[1]! };
}

async function unpackOci(reference: string, home: string): Promise<ResolvedParent> {
  const { path, tag } = parseOciReference(reference);
  if (!(await exists(path)))
    throw new IngotError('invalid-input', `parentImage: the OCI image '${path}' does not exist`);
  const image = await readOciImage(path, tag);
  try {
    const digest = image.manifestDescriptor.digest;
    const rootfs = await unpackOnce(home, digest, async (dir) => {
      for (const layer of image.layers) await applyLayer(layer.path, dir);
    });
    return {
      lowerDirs: [rootfs],
      key: digest,
      osVersion: 'Linux',
      rootDir: rootfs,
      runtime: image.config.config ?? {},
      description: `OCI image ${reference} (${digest.slice(0, 19)})`,
    };
  } finally {
    await image.close();
  }
}
