/**
 * @module The build pipeline: resolve the parent → one layer per component (cached) → validate
 * phases → snapshot → outputs (rootfs tarball, or OCI layout + archive) → test phases in a fresh
 * instance started from the output, the evidence (SBOMs...) at the same time → manifest.json.
 * Used by the worker and by `ingot build`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { withPassIn, type InstancePassIn } from '../instance/pass-in.ts';
import { join, relative, resolve } from 'node:path';
import type { LayerCache } from '../cache/layer-cache.ts';
import type { ImageRuntimeConfig } from '../oci/image/config.ts';
import { containerSteps } from './container-steps.ts';
import { formatEvent, type BuildEvent, type BuildEventSink, type BuildStage } from './events.ts';
import { BuildCancelled, BuildFailure, BuildTimeout } from './failure.ts';
import { sandboxFactory, type InstanceFactory } from './instance-factory.ts';
import type { StageGate } from './stage-gate.ts';
import { componentNeedingSystemd, SYSTEMD_VM } from './needs-systemd.ts';
import { addComponentLayer, type LayerStack, type StackContext } from './layer-stack.ts';
import { writeManifest, type Artifact, type OutputManifest } from '../artifacts/manifest.ts';
import { startOciArchiveArtifact, writeOciOutput, type OciArchiveArtifact } from './outputs/oci-image.ts';
import type { BaseLayerBlob } from '../bases/base-layer-blob.ts';
import { startBaseLayer, type BaseLayerJob } from './outputs/base-layer.ts';
import { createBuildWorkDir, markWorkDirKept } from './work-dirs.ts';
import { BuildDiskQuotaExceeded, type QuotaWatch, watchDiskQuota } from './disk-quota.ts';
import { gatherEvidence, signChecksums, type EvidenceOptions, type EvidenceRun } from './evidence.ts';
import { outputKey, restoreOutputs, saveOutputs } from './outputs/output-cache.ts';
import { settleUploads } from './shared-uploads.ts';
import { ROOTFS_FILE, writeRootfsTarball } from './outputs/rootfs-tarball.ts';
import { resolveParent, type ResolvedParent } from './parent.ts';
import { addBootLayer } from './disk/managed-boot-layer.ts';
import type { BuildComponent, BuildRequest } from './request.ts';
import { makeBuildTmp } from './build-tmp.ts';
import { makeDurable } from './durable.ts';
import { syncPaths } from '../files/sync-tree.ts';
import { confined } from './confined.ts';
import { hasPhase, runComponentsPhase } from './run-phase.ts';
import {
  bootComponent,
  diskOutputKey,
  runTestsInVm,
  testOnDisk,
  wantsDisks,
  type WrittenDisk,
  writeDiskImageOutputs,
} from './disk/disk-stages.ts';
import { writeRootDisk } from '../disk/root-fs.ts';
import { diskLayout } from '../disk/layout.ts';
import { addVmLayer, type VmBuildInstance } from './vm-build/vm-layer.ts';

export interface BuildOptions {
  home: string;
  /** Where managed bases are cached (default `home`; `$INGOT_BASES_HOME` for the CLI and server). */
  basesHome?: string | undefined;
  /** Where artifacts, logs and manifest.json go. */
  outputDir: string;
  /** Shared layer cache; undefined (or noCache) builds everything afresh. */
  cache?: LayerCache | undefined;
  /** Whose cache entries (layers, reused outputs) the build may use: the account of an API build. */
  cacheScope?: string | undefined;
  noCache?: boolean;
  compression?: 'gzip' | 'zstd';
  newInstance?: InstanceFactory;
  signal?: AbortSignal;
  /** The whole build (parent to tests) must finish within this many milliseconds. */
  timeoutMs?: number;
  /** The build's work directory may hold at most this many bytes (INGOT_BUILD_DISK_QUOTA_GIB); default no quota. */
  diskQuotaBytes?: number | undefined;
  /** CPU/memory/process limits of every build and test instance (from the instance type). */
  limits?: { cpus?: number; memoryMiB?: number; pids?: number };
  /** `host`: build and test steps use the host's network (opt-in, see docs/security.md); default isolated. */
  network?: 'isolated' | 'host';
  /**
   * Image recipes: run the components in one qemu build instance of this size instead of
   * sandboxes (an `ingot.vm.*` instance type); the test phase then boots the image too.
   */
  vm?: { cpus: number; memoryMiB: number } | undefined;
  onEvent?: BuildEventSink;
  /** Findings feed, compliance profile, signing key (SBOMs are always made). */
  evidence?: EvidenceOptions;
  /** Keep the work directory (layers, upper dirs) when the build fails. */
  keepOnFailure?: boolean;
  /** CA bundle and proxy variables for every instance (default: INGOT_INSTANCE_CA_BUNDLE, the host's proxy variables). */
  passIn?: InstancePassIn;
  /** Image recipes whose components use services build in a VM (INGOT_SYSTEMD_ROUTING; default on). */
  systemdRouting?: boolean;
  /** qemu accelerator (INGOT_QEMU_ACCEL); default: probed. */
  qemuAccel?: 'kvm' | 'tcg' | undefined;
  /** Clamp file times in layers (SOURCE_DATE_EPOCH); default: kept. */
  sourceDateEpoch?: number | undefined;
  /** Workflow steps that let each stage run (stage-gate.ts); default: every stage runs at once. */
  gate?: StageGate;
}

export interface BuildResult {
  manifest: OutputManifest;
  manifestPath: string;
  /** Layers of the finished image, topmost first (for an image built on top of this one). */
  lowerDirs: string[];
  headKey: string;
  /** The key the outputs are kept under in the layer cache's output records (output-cache.ts). */
  outputKey: string;
}

/** A full disk during a stage, as a failure naming the stage and the path (undefined for other errors). */
function diskFullFailure(stage: BuildStage, err: unknown): BuildFailure | undefined {
  if (err instanceof BuildFailure) return undefined;
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code !== 'ENOSPC' && !/ENOSPC|No space left on device/i.test(e?.message ?? '')) return undefined;
  const where = e?.path ? ` while writing ${e.path}` : '';
  return new BuildFailure(stage, `no space left on the device${where} (${e?.message ?? 'ENOSPC'})`, undefined, {
    cause: err,
  });
}

export async function runBuild(request: BuildRequest, given: BuildOptions): Promise<BuildResult> {
  // Absolute from here on: child processes (SBOMs, sandboxes) run in other working directories.
  const opts = { ...given, outputDir: resolve(given.outputDir) };
  if (opts.timeoutMs === undefined) return runBuildWithin(request, opts, opts.signal);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  try {
    return await runBuildWithin(request, opts, signal);
  } catch (err) {
    if (timeout.aborted && !opts.signal?.aborted) throw new BuildTimeout(opts.timeoutMs);
    throw err;
  }
}

async function runBuildWithin(
  request: BuildRequest,
  opts: BuildOptions,
  outerSignal: AbortSignal | undefined,
): Promise<BuildResult> {
  const onEvent = opts.onEvent ?? (() => {});
  const stages: Record<string, number> = {};
  let signal = outerSignal;
  let quota: QuotaWatch | undefined;
  const overQuota = (name: BuildStage) => {
    const q = quota?.exceeded();
    return q ? new BuildDiskQuotaExceeded(name, q.usedBytes, opts.diskQuotaBytes ?? 0, q.path) : undefined;
  };
  const stage = async <T>(name: BuildStage, detail: string | undefined, fn: () => Promise<T>): Promise<T> => {
    if (signal?.aborted) throw overQuota(name) ?? new BuildCancelled();
    await opts.gate?.enter(name, signal);
    onEvent({ type: 'stage', stage: name, status: 'start', ...(detail ? { detail } : {}) });
    const started = performance.now();
    const out = await fn().catch((err: unknown) => {
      throw overQuota(name) ?? diskFullFailure(name, err) ?? err;
    });
    stages[name] = Math.round(performance.now() - started);
    opts.gate?.leave(name);
    onEvent({ type: 'stage', stage: name, status: 'end', durationMs: stages[name] });
    return out;
  };
  await mkdir(opts.outputDir, { recursive: true });
  const workDir = await createBuildWorkDir(opts.home);
  if (opts.diskQuotaBytes) {
    quota = watchDiskQuota(workDir, opts.diskQuotaBytes);
    signal = outerSignal ? AbortSignal.any([outerSignal, quota.signal]) : quota.signal;
  }
  const logDir = join(opts.outputDir, 'logs');
  const cache = opts.noCache ? undefined : opts.cache;
  // Output blobs an earlier build put aside (output-cache.ts) are deleted while this one runs.
  const trashEmptied = cache?.blobs.emptyTrash().catch(() => {});
  const passIn = opts.passIn ?? {};
  const factory =
    opts.newInstance ??
    sandboxFactory({
      ingotHome: opts.home,
      ...(opts.limits ? { limits: opts.limits } : {}),
      ...(opts.network ? { network: opts.network } : {}),
    });
  const compression = opts.compression ?? 'gzip';
  const ctx: StackContext = {
    workDir,
    buildTmpDir: await makeBuildTmp(workDir),
    logDir,
    cache,
    cacheScope: opts.cacheScope,
    compression,
    newInstance: async (req) => withPassIn(await factory(req), passIn),
    passIn,
    signal,
    onEvent,
    releases: [],
    uploads: { pending: [], detached: false },
    qemuAccel: opts.qemuAccel,
    sourceDateEpoch: opts.sourceDateEpoch,
    machine: machineOf(opts),
    limits: opts.limits,
  };
  let ok = false;
  let baseLayer: BaseLayerJob | undefined;
  /** A container image's archive: started with its base layer as soon as a layer is built, else by the outputs stage. */
  let archiveStart: Promise<OciArchiveArtifact> | undefined;
  let archiveDone = false;
  const startArchive = (base: Promise<BaseLayerBlob>): Promise<OciArchiveArtifact> => {
    archiveStart ??= base.then((blob) => startOciArchiveArtifact(opts.outputDir, blob));
    archiveStart.catch(() => {}); // awaited by the outputs stage, cancelled at the end
    return archiveStart;
  };
  try {
    const parent = await stage('parent', describeParent(request), () =>
      resolveParent(request.parent, {
        home: opts.home,
        basesHome: opts.basesHome,
        onProgress: (line) => onEvent({ type: 'log', line }),
      }),
    );
    const steps =
      request.kind === 'container' && request.dockerfileTemplate
        ? containerSteps(request.dockerfileTemplate, request.components)
        : { runtime: {}, components: request.components };
    const vm = vmFor(request, opts, onEvent);
    // A container image's base layer is made (once per base) while the components run.
    if (request.kind === 'container') baseLayer = startBaseLayer(parent, compression, ctx.sourceDateEpoch);
    // Its archive's bulk, the base layer, is copied while a component builds (not ahead of a gated outputs stage).
    const base = baseLayer?.result;
    if (base && !opts.gate) ctx.beforeLayerBuild = () => void startArchive(base);
    let stack: LayerStack = { lowerDirs: parent.lowerDirs, layers: [], headKey: parent.key };
    stack = await stage(
      'build',
      `${steps.components.length} component(s)${vm ? ' in a qemu build instance' : ''}`,
      async () => {
        // On a managed base the boot layer is kept beside the base, for every account and home (managed-boot-layer.ts).
        if (wantsDisks(request) || vm)
          stack = (await addBootLayer(ctx, stack, parent, bootComponent({ cloudInit: request.cloudInit ?? true })))
            .stack;
        if (vm) return addVmLayer(ctx, stack, steps.components, vm);
        for (const c of steps.components) stack = await addComponentLayer(ctx, stack, c);
        return stack;
      },
    );
    const evidenceOptions = opts.evidence ?? {};
    const reuseKey = outputKey([
      request.kind,
      parent.key,
      stack.headKey,
      request.dockerfileTemplate ?? '',
      ctx.compression,
      String(request.runTests),
      diskOutputKey(request),
      vm ? 'qemu' : 'sandbox',
      JSON.stringify(evidenceOptions),
      ...(opts.cacheScope !== undefined ? [`scope:${opts.cacheScope}`] : []),
    ]);
    const allCached = stack.layers.every((l) => l.cached);
    const reused = cache && allCached ? await restoreOutputs(cache, reuseKey, opts.outputDir) : undefined;
    if (reused) {
      onEvent({
        type: 'log',
        line: 'every layer was cached and this exact image was built and tested before: outputs reused',
      });
      const manifest: OutputManifest = {
        ...reused,
        createdAt: new Date().toISOString(),
        layers: reused.layers.map((l) => ({ ...l, cached: true })),
        stages,
        reused: true,
      };
      const manifestPath = await writeManifest(opts.outputDir, manifest);
      await signChecksums(opts.outputDir, evidenceOptions.signingKey);
      await makeDurable(opts.outputDir);
      ok = true;
      return { manifest, manifestPath, lowerDirs: stack.lowerDirs, headKey: stack.headKey, outputKey: reuseKey };
    }
    // In a qemu build instance the validate phases ran in the VM, right after the build phases.
    if (!vm) await stage('validate', undefined, () => runPhaseEverywhere(ctx, stack, steps.components, 'validate'));
    const written = await stage('outputs', undefined, () =>
      writeOutputs(request, opts, ctx, parent, stack, steps.runtime, baseLayer, startArchive),
    );
    // A disk is always booted when tests run (as EC2 launches a test instance from the AMI).
    const tested = request.runTests && (wantsDisks(request) || steps.components.some((c) => hasPhase(c, 'test')));
    // The evidence reads the layers, the tests run in their own instance: both at once.
    const evidenceRun = stage('evidence', 'SBOM, findings, compliance, signature', () =>
      gatherEvidence({
        outputDir: opts.outputDir,
        home: opts.home,
        workDir,
        lowerDirs: stack.lowerDirs,
        name: request.name,
        version: request.version,
        ociLayout: written.ociLayout,
        options: evidenceOptions,
        onEvent,
        signal,
        limits: opts.limits,
        inventoryCache: cache ? inventoryCacheOf(cache, opts.cacheScope, parent, stack) : undefined,
      }),
    );
    evidenceRun.catch(() => {}); // awaited below, after the tests (whose failure comes first)
    try {
      const bootDisk = written.bootDisk; // set exactly when the request wants disks
      if (tested && bootDisk)
        await stage('test', 'the disk image booted under qemu', () =>
          testOnDisk(
            ctx,
            opts.outputDir,
            written.artifacts,
            bootDisk,
            steps.components,
            request.bootMode,
            diskLayout(request.blockDeviceMappings).extraVolumes.map((v) => v.sizeGiB),
          ),
        );
      else if (tested && vm)
        await stage('test', 'a fresh VM booted from the image', () =>
          testOnScratchDisk(ctx, stack, vm.rootGiB, steps.components),
        );
      else if (tested)
        await stage('test', 'fresh instance from the output', () =>
          runPhaseEverywhere(ctx, stack, steps.components, 'test'),
        );
    } catch (err) {
      await evidenceRun.catch(() => {});
      throw err;
    }
    const evidence = await evidenceRun;
    // The outputs so far are made durable while the archive is finished (last, so it carries the
    // SBOM referrers and the signature; its bulk is on disk by then), then the archive.
    const flushed = makeDurable(opts.outputDir);
    flushed.catch(() => {}); // awaited below
    const finished = written.archive ? await written.archive.finish() : undefined;
    const artifacts = finished ? [...written.artifacts, finished] : written.artifacts;
    archiveDone = true;
    await flushed;
    if (finished) await syncPaths([join(opts.outputDir, finished.path), opts.outputDir]);
    const manifest: OutputManifest = {
      name: request.name,
      version: request.version,
      kind: request.kind,
      createdAt: new Date().toISOString(),
      parent: parent.description,
      artifacts,
      layers: stack.layers.map((l) => ({
        component: l.component,
        digest: l.layer.digest,
        diffId: l.layer.diffId,
        size: l.layer.size,
        cached: l.cached,
      })),
      stages,
      tests: tested ? 'passed' : 'skipped',
      evidence,
    };
    // Durable (above; the disks were flushed while the tests and the evidence ran) before the output
    // cache records them; what is written next, before the build reports success.
    await written.durable;
    if (cache) await saveOutputs(cache, reuseKey, opts.outputDir, manifest);
    const manifestPath = await writeManifest(opts.outputDir, manifest);
    await signChecksums(opts.outputDir, evidenceOptions.signingKey);
    await makeDurable(opts.outputDir);
    ok = true;
    return { manifest, manifestPath, lowerDirs: stack.lowerDirs, headKey: stack.headKey, outputKey: reuseKey };
  } finally {
    if (archiveStart && !archiveDone) await (await archiveStart.catch(() => undefined))?.cancel();
    quota?.stop();
    baseLayer?.cancel();
    await baseLayer?.result.catch(() => {});
    await settleUploads(ctx);
    await trashEmptied;
    for (const release of ctx.releases) release();
    if (ok || !opts.keepOnFailure) await rm(workDir, { recursive: true, force: true });
    else await keepForShell(workDir, ctx, onEvent);
  }
}

/** Leaves what `ingot shell WORKDIR` needs to reopen the failed component's instance. */
async function keepForShell(workDir: string, ctx: StackContext, onEvent: BuildEventSink): Promise<void> {
  onEvent({ type: 'log', line: `kept the work directory ${workDir}` });
  await markWorkDirKept(workDir);
  if (!ctx.failedInstance) return;
  await writeFile(join(workDir, 'instance.json'), JSON.stringify(ctx.failedInstance, null, 2));
  onEvent({
    type: 'log',
    line: `open a shell in the failed instance of '${ctx.failedInstance.component}': ingot shell ${workDir}`,
  });
}

/**
 * The qemu build instance of an image recipe: when the options ask for one, or when a component
 * needs a running systemd (needs-systemd.ts), which sandboxes do not have.
 */
function vmFor(request: BuildRequest, opts: BuildOptions, onEvent: BuildEventSink): VmBuildInstance | undefined {
  if (!opts.vm) {
    if (request.kind !== 'image' || opts.systemdRouting === false) return undefined;
    const needs = componentNeedingSystemd(request.components);
    if (!needs) return undefined;
    onEvent({
      type: 'log',
      line: `component '${needs.component}' needs a running systemd (${needs.line}): it builds in a qemu build instance (${SYSTEMD_VM.cpus} vCPU, ${SYSTEMD_VM.memoryMiB} MiB), as on EC2; INGOT_SYSTEMD_ROUTING=off keeps it in a sandbox`,
    });
    return { ...SYSTEMD_VM, rootGiB: diskLayout(request.blockDeviceMappings).rootGiB };
  }
  if (request.kind !== 'image') {
    onEvent({
      type: 'log',
      line: 'container recipes build in sandboxes: the VM instance type applies to image recipes only',
    });
    return undefined;
  }
  return { ...opts.vm, rootGiB: diskLayout(request.blockDeviceMappings).rootGiB };
}

/** Test phases of a VM-built image whose outputs are not disks: a scratch raw disk of the image, booted. */
async function testOnScratchDisk(
  ctx: StackContext,
  stack: LayerStack,
  rootGiB: number,
  components: readonly BuildComponent[],
): Promise<void> {
  const dir = await mkdtemp(join(ctx.workDir, 'test-disk-'));
  try {
    const disk = await confined(ctx, 'scratch test disk', (run) =>
      writeRootDisk({
        lowerDirs: stack.lowerDirs,
        outFile: join(dir, 'test.raw'),
        sizeGiB: rootGiB,
        workDir: dir,
        run,
      }),
    );
    await runTestsInVm(ctx, { path: disk.path, qemuFormat: 'raw', name: 'a scratch disk of the image' }, components);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function describeParent(r: BuildRequest): string {
  const p = r.parent;
  return p.type === 'managed'
    ? p.base
    : p.type === 'rootfs-tarball'
      ? p.path
      : p.type === 'oci'
        ? p.reference
        : 'earlier image';
}

/** Runs `phase` of every component that has one, in one fresh instance over the stack (writes thrown away). */
async function runPhaseEverywhere(
  ctx: StackContext,
  stack: LayerStack,
  components: readonly BuildComponent[],
  phase: 'validate' | 'test',
): Promise<void> {
  const withPhase = components.filter((c) => hasPhase(c, phase));
  if (!withPhase.length) return;
  const dir = await mkdtemp(join(ctx.workDir, `${phase}-`));
  await mkdir(join(dir, 'upper'));
  const instance = await ctx.newInstance({
    lowerDirs: stack.lowerDirs,
    upperDir: join(dir, 'upper'),
    workDir: join(dir, 'work'),
    throwaway: true,
    // Validate phases run on the build instance (its /tmp); tests on a new instance of the image.
    ...(phase === 'validate' && ctx.buildTmpDir ? { tmpDir: ctx.buildTmpDir } : {}),
  });
  try {
    await runComponentsPhase({
      instance,
      components: withPhase,
      phase,
      logDir: ctx.logDir,
      signal: ctx.signal,
      onEvent: ctx.onEvent,
    });
  } finally {
    await instance.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The artifacts made so far; a container build's OCI layout gets its archive after the evidence stage. */
interface WrittenOutputs {
  artifacts: Artifact[];
  ociLayout?: string;
  /** Its archive, going on with the layout in the background. */
  archive?: OciArchiveArtifact;
  /** Disk outputs: settles once they are on the device (awaited before the manifest is written). */
  durable?: Promise<void>;
  /** Disk outputs: the boot disk as written (what the test phase boots when no output is bootable by qemu). */
  bootDisk?: WrittenDisk;
}

async function writeOutputs(
  request: BuildRequest,
  opts: BuildOptions,
  ctx: StackContext,
  parent: ResolvedParent,
  stack: LayerStack,
  runtime: ImageRuntimeConfig,
  baseLayer: BaseLayerJob | undefined,
  startArchive: (base: Promise<BaseLayerBlob>) => Promise<OciArchiveArtifact>,
): Promise<WrittenOutputs> {
  if (request.kind === 'container' && baseLayer) {
    const base = await baseLayer.result;
    ctx.onEvent({
      type: 'log',
      line: `base layer ${base.descriptor.digest.slice(0, 19)} (${ctx.compression}, ${(base.descriptor.size / 1e6).toFixed(1)} MB): ${base.reused ? 'kept with the base' : 'made now and kept with the base'}`,
    });
    // Started before the layout is written (if a component's build did not start it): its first part is the base layer alone.
    const archive = await startArchive(baseLayer.result);
    const oci = await writeOciOutput({
      outputDir: opts.outputDir,
      tag: request.version,
      parent,
      layers: stack.layers,
      runtime,
      base,
      annotations: {
        'org.opencontainers.image.title': request.name,
        'org.opencontainers.image.version': request.version,
      },
    });
    await archive.addLayout();
    return { artifacts: [], ociLayout: oci.layoutDir, archive };
  }
  if (wantsDisks(request))
    return await writeDiskImageOutputs(ctx, stack, opts.outputDir, request, lowerDirIds(parent, stack));
  const file = join(opts.outputDir, ROOTFS_FILE.zstd);
  const { sha256, size } = await confined(ctx, 'rootfs tarball', (run) =>
    writeRootfsTarball(stack.lowerDirs, file, 'zstd', ctx.workDir, run),
  );
  return { artifacts: [{ path: relative(opts.outputDir, file), format: 'rootfs-tar-zstd', sha256, sizeBytes: size }] };
}

/** The content identity of each of `stack.lowerDirs`: a layer's diffId, the parent's key and position. */
function lowerDirIds(parent: ResolvedParent, stack: LayerStack): string[] | undefined {
  const byDir = new Map<string, string>(stack.layers.map((l) => [l.diffDir, l.layer.diffId]));
  parent.lowerDirs.forEach((dir, i) => byDir.set(dir, `${parent.key}/${i}`));
  const ids = stack.lowerDirs.map((dir) => byDir.get(dir));
  return ids.some((id) => id === undefined) ? undefined : (ids as string[]);
}

/**
 * Where the evidence keeps package inventories (in the layer cache, so scoped as its layers are),
 * with each lower dir's content identity.
 */
function inventoryCacheOf(
  cache: LayerCache,
  scope: string | undefined,
  parent: ResolvedParent,
  stack: LayerStack,
): EvidenceRun['inventoryCache'] {
  const ids = lowerDirIds(parent, stack);
  return ids ? { dir: join(cache.root, 'inventories'), ids, scope } : undefined;
}

/** The instance type's vCPUs (whole) and memory: the VM's size, else the sandbox limits. */
function machineOf(opts: BuildOptions): StackContext['machine'] {
  const size = opts.vm ?? opts.limits;
  if (!size?.cpus || !size.memoryMiB) return undefined;
  return { cpus: Math.max(1, Math.ceil(size.cpus)), memoryMiB: size.memoryMiB };
}

export { formatEvent, type BuildEvent };
