/**
 * @module The build's stack of layers: the parent at the bottom, one layer per component above it.
 * A component's layer is taken from the layer cache when (parent layer digest, document,
 * version, parameters) match; otherwise its build phase runs in a sandbox over the stack and
 * the overlay upper dir becomes the layer (and a cache entry).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { InstancePassIn } from '../instance/pass-in.ts';
import { join } from 'node:path';
import { layerCacheKey } from '../cache/cache-key.ts';
import type { LayerCache } from '../cache/layer-cache.ts';
import type { Compression, LayerDescriptor } from '../oci/media-types.ts';
import type { ResourceLimits } from '../cgroups/index.ts';
import { writeLayer } from '../oci/layer/write-layer.ts';
import { syncPaths } from '../files/sync-tree.ts';
import { makeDurable } from './durable.ts';
import type { BuildEventSink } from './events.ts';
import type { InstanceFactory } from './instance-factory.ts';
import type { BuildComponent } from './request.ts';
import { restoreBuildTmp, saveBuildTmp } from './build-tmp.ts';
import { hasPhase, runPhase } from './run-phase.ts';
import { sharedCacheLog, startUpload } from './shared-uploads.ts';

export interface StackLayer {
  component: string;
  layer: LayerDescriptor;
  blobPath: string;
  diffDir: string;
  cached: boolean;
}

export interface LayerStack {
  /** Read-only dirs for an overlay, topmost first. */
  lowerDirs: string[];
  /** Component layers, bottom first. */
  layers: StackLayer[];
  /** Digest the next layer's cache key builds on. */
  headKey: string;
}

/** What `ingot shell` reopens: a sandbox (its layers, the upper dir) or a VM (its disk, a qcow2 over the build disk). */
export type FailedInstance =
  | { kind?: 'sandbox'; lowerDirs: string[]; upperDir: string; component: string }
  | { kind: 'qemu'; disk: string; component: string };

export interface StackContext {
  workDir: string;
  logDir: string;
  cache: LayerCache | undefined;
  /** The layer blobs' compression: the build's (gzip or zstd); `none` for layers only read as directories. */
  compression: Compression;
  newInstance: InstanceFactory;
  /** CA bundle and proxy variables every build and test instance gets (qemu instances too). */
  passIn?: InstancePassIn | undefined;
  signal?: AbortSignal | undefined;
  onEvent: BuildEventSink;
  /** Whose cache entries the build may use and makes (the account; undefined for local builds). */
  cacheScope?: string | undefined;
  /** Releases pinned cache entries when the build ends. */
  releases: (() => void)[];
  /** Uploads to the shared layer cache started by this build (shared-uploads.ts); none without. */
  uploads?: { pending: Promise<void>[]; detached: boolean } | undefined;
  /** qemu accelerator of build/test VMs (default: probed). */
  qemuAccel?: 'kvm' | 'tcg' | undefined;
  /** Clamp file times in layers to this epoch (default: kept). */
  sourceDateEpoch?: number | undefined;
  /** The build instance's /tmp, shared by every build and validate phase (build-tmp.ts). */
  buildTmpDir?: string | undefined;
  /** vCPUs and memory of the instance type, for the VM an OVA describes (default 2 vCPU, 2048 MiB). */
  machine?: { cpus: number; memoryMiB: number } | undefined;
  /** The instance type's limits: host-side work over the image (disks, tarball, VM capture) runs under them. */
  limits?: ResourceLimits | undefined;
  /** Called when a component's layer is to be built (not cached), before its instance starts. */
  beforeLayerBuild?: (() => void) | undefined;
  /** The instance of the component that failed (kept for `ingot shell`): a sandbox's layers and upper dir, or a VM's disk. */
  failedInstance?: FailedInstance;
}

/** The layer cache key of `component` stacked on `stack`, in `scope` (undefined: no account's). */
export function componentLayerKey(
  ctx: Pick<StackContext, 'compression'>,
  stack: Pick<LayerStack, 'headKey'>,
  component: BuildComponent,
  scope: string | undefined,
): string {
  return layerCacheKey({
    parentLayerDigest: stack.headKey,
    componentDocument: component.text,
    componentVersion: component.version,
    parameters: component.parameters,
    compression: ctx.compression,
    scope,
  });
}

export async function addComponentLayer(
  ctx: StackContext,
  stack: LayerStack,
  component: BuildComponent,
): Promise<LayerStack> {
  const key = componentLayerKey(ctx, stack, component, ctx.cacheScope);
  const hit = await cachedLayer(ctx, stack, key, component.name);
  if (hit) {
    if (ctx.cache && ctx.buildTmpDir) await restoreBuildTmp(ctx.cache, key, ctx.buildTmpDir);
    return hit;
  }
  const started = performance.now();
  ctx.onEvent({ type: 'component', name: component.name, phase: 'build', status: 'start' });
  ctx.beforeLayerBuild?.();
  const dir = await mkdtemp(join(ctx.workDir, 'layer-'));
  const upper = join(dir, 'upper');
  await mkdir(upper);
  if (hasPhase(component, 'build')) {
    const instance = await ctx.newInstance({
      lowerDirs: stack.lowerDirs,
      upperDir: upper,
      workDir: join(dir, 'work'),
      syncedByCaller: true,
      ...(ctx.buildTmpDir ? { tmpDir: ctx.buildTmpDir } : {}),
    });
    try {
      await runPhase({
        instance,
        component,
        phase: 'build',
        logDir: ctx.logDir,
        signal: ctx.signal,
        onEvent: ctx.onEvent,
      });
    } catch (err) {
      ctx.onEvent({
        type: 'component',
        name: component.name,
        phase: 'build',
        status: 'failed',
        durationMs: performance.now() - started,
      });
      ctx.failedInstance = { lowerDirs: stack.lowerDirs, upperDir: upper, component: component.name };
      throw err;
    } finally {
      await instance.close();
    }
  }
  if (ctx.buildTmpDir) await saveBuildTmp(ctx.cache, key, ctx.buildTmpDir);
  return storeLayer(ctx, stack, { key, component: component.name, dir, upper, started });
}

/**
 * Makes `upper` (an overlayfs upper directory in `dir`) the stack's next layer: writes the layer
 * blob and, with a cache, stores it under `key` (then `dir` is removed). Shared by the sandbox's
 * per-component layers and the qemu build instance's layer.
 */
export async function storeLayer(
  ctx: StackContext,
  stack: LayerStack,
  l: { key: string; component: string; dir: string; upper: string; started: number },
): Promise<LayerStack> {
  const blob = join(l.dir, 'layer.blob');
  const layer = await writeLayer({
    sourceDir: l.upper,
    kind: 'overlay-upper',
    compression: ctx.compression,
    outFile: blob,
    ...(ctx.sourceDateEpoch !== undefined ? { sourceDateEpoch: ctx.sourceDateEpoch } : {}),
  });
  ctx.onEvent({
    type: 'component',
    name: l.component,
    phase: 'build',
    status: 'success',
    durationMs: performance.now() - l.started,
    detail: layer.digest.slice(0, 19),
  });
  if (!ctx.cache)
    return push(stack, { component: l.component, layer, blobPath: blob, diffDir: l.upper, cached: false });
  // Durable before the cache records it: a layer cut short by a crash must not be reused.
  await makeLayerDurable({ diffDir: l.upper, blobPath: blob });
  // Acquired in the same step as the put, so no eviction can take it before the build ends.
  const held = await ctx.cache.putAndAcquire(l.key, { diffDir: l.upper, layerFile: blob, layer });
  ctx.releases.push(held.release);
  startUpload(ctx, l.key);
  await rm(l.dir, { recursive: true, force: true });
  return push(stack, {
    component: l.component,
    layer,
    blobPath: held.entry.blobPath,
    diffDir: held.entry.diffDir,
    cached: false,
  });
}

/** fsyncs a layer about to be kept (its tree and its blob): what storeLayer does before the cache records it. */
export async function makeLayerDurable(layer: { diffDir: string; blobPath: string }): Promise<void> {
  await Promise.all([makeDurable(layer.diffDir), syncPaths([layer.blobPath])]);
}

/** The cached layer under `key`, pinned until the build ends, as the stack's next layer; undefined on a miss. */
export async function cachedLayer(
  ctx: StackContext,
  stack: LayerStack,
  key: string,
  component: string,
): Promise<LayerStack | undefined> {
  const local = ctx.cache ? await ctx.cache.acquire(key) : undefined;
  const shared = ctx.cache?.shared;
  const fromShared =
    !local && shared && ctx.cache
      ? await shared.fetch(ctx.cache, key, ctx.cacheScope, { signal: ctx.signal, log: sharedCacheLog(ctx) })
      : undefined;
  const lease = local ?? fromShared;
  if (!lease) return undefined;
  ctx.releases.push(lease.release);
  ctx.onEvent({
    type: 'component',
    name: component,
    phase: 'build',
    status: 'cached',
    detail: `${lease.entry.layer.digest.slice(0, 19)}${fromShared ? ` from the shared layer cache ${shared?.url}` : ''}`,
  });
  return push(stack, {
    component,
    layer: lease.entry.layer,
    blobPath: lease.entry.blobPath,
    diffDir: lease.entry.diffDir,
    cached: true,
  });
}

/** `stack` with `layer` on top. */
export function push(stack: LayerStack, layer: StackLayer): LayerStack {
  return {
    lowerDirs: [layer.diffDir, ...stack.lowerDirs],
    layers: [...stack.layers, layer],
    headKey: layer.layer.digest,
  };
}
