/**
 * @module The programmatic side of `ingot build`: load the recipe, open the layer cache, run the
 * engine, print where the outputs are.
 */
import { basename, join, resolve } from 'node:path';
import { openLayerCache } from '../../cache/layer-cache.ts';
import { instancePlan, settingsBuildOptions } from '../../engine/build-settings.ts';
import { runBuild } from '../../engine/build.ts';
import type { EvidenceOptions } from '../../engine/evidence.ts';
import { resolveFeedPath } from '../../findings/feed.ts';
import { BuildCancelled, BuildFailure } from '../../engine/failure.ts';
import { loadRecipeFile } from '../../recipe-file/load.ts';
import { layerCacheOptions, type Settings } from '../../config/settings.ts';
import { progressPrinter } from './progress.ts';
import { type DiskFormat, diskFormatsOf } from '../../disk/formats/index.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import { defaultOutputDir } from './noop-build.ts';
import { saveNoopRecord } from './noop-save.ts';
import { printOutputs } from './print-outputs.ts';
import { reapCrashLeftovers } from '../../worker/recover.ts';
import { workRoot } from '../../engine/work-dirs.ts';
import { sandboxesDir } from '../../instance/sandbox/runtime.ts';

export interface LocalBuildOptions {
  file: string;
  output?: string | undefined;
  noCache: boolean;
  compression: 'gzip' | 'zstd';
  runTests: boolean;
  keepOnFailure: boolean;
  /** Steps use the host's network (`--host-network`). */
  hostNetwork?: boolean;
  /** `--format`: bootable disk formats, [] for the rootfs tarball (image recipes only); default INGOT_IMAGE_FORMATS. */
  diskFormats?: DiskFormat[];
  instanceType?: string | undefined;
  /** `--timeout`; default the INGOT_BUILD_TIMEOUT_MINUTES setting. */
  timeoutMinutes?: number | undefined;
  findingsFeed?: string | undefined;
  failOnSeverity?: string | undefined;
  /** The SSG profile id suffix to score with (e.g. cis_level1_server); undefined: no compliance scan. */
  compliance?: string | undefined;
  signKey?: string | undefined;
  /** Resolved by the command at start-up. */
  settings: Settings;
  /** The request's key (noop-record.ts): a successful build is recorded under it for no-op rebuilds. */
  noopKey?: string | undefined;
}

/**
 * One line for what the crash reaper removed: work dirs by name, sandboxes counted, and the rest,
 * cgroup directories (one per hierarchy), counted by name.
 */
export function describeLeftovers(home: string, removed: readonly string[]): string {
  const under = (dir: string) => (p: string) => p.startsWith(`${dir}/`);
  const work = removed.filter(under(workRoot(home)));
  const sandboxes = removed.filter(under(sandboxesDir(home)));
  const cgroups = new Set(removed.filter((p) => !work.includes(p) && !sandboxes.includes(p)).map((p) => basename(p)));
  const parts = [
    work.length ? `${work.length} work dir(s) (${work.map((p) => basename(p)).join(', ')})` : '',
    sandboxes.length ? `${sandboxes.length} sandbox(es)` : '',
    cgroups.size ? `${cgroups.size} cgroup(s), their processes stopped` : '',
  ].filter(Boolean);
  return `cleaned up after killed builds: ${parts.join('; ')}`;
}

export async function runLocalBuild(opts: LocalBuildOptions): Promise<{ ok: boolean; outputDir: string }> {
  const { settings } = opts;
  const home = settings.home;
  // What an `ingot build` killed before it could clean up left in this INGOT_HOME (its work dir with
  // the disk overlays, sandboxes, and processes still running in its cgroups), as a server or worker
  // removes at start: leftovers of live processes (another build running now) are kept.
  const leftovers = await reapCrashLeftovers(home).catch((err: unknown) => {
    process.stderr.write(`ingot build: could not check for leftovers of killed builds: ${String(err)}\n`);
    return [] as string[];
  });
  if (leftovers.length) process.stderr.write(`ingot build: ${describeLeftovers(home, leftovers)}\n`);
  const read = new Map<string, string | undefined>();
  const loaded = await loadRecipeFile(opts.file, {
    runTests: opts.runTests,
    onRead: (path, text) => read.set(path, text),
  });
  if (opts.diskFormats && loaded.kind !== 'image')
    throw new IngotError(
      'ValidationException',
      `--format: ${opts.file} is a container recipe; disk formats are for image recipes`,
    );
  const diskFormats = opts.diskFormats ?? diskFormatsOf(settings.imageFormats);
  const request = loaded.kind === 'image' ? { ...loaded, diskFormats } : loaded;
  const outputDir = opts.output !== undefined ? resolve(opts.output) : defaultOutputDir(request.name, request.version);
  const cache = opts.noCache ? undefined : await openLayerCache(layerCacheOptions(settings));
  const printer = progressPrinter();
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const evidence: EvidenceOptions = {
    findingsFeed: await resolveFeedPath(home, opts.findingsFeed ?? settings.securityFeed),
    failOnSeverity: opts.failOnSeverity,
    complianceProfile: opts.compliance,
    signingKey: opts.signKey || settings.signingKey,
  };
  const started = performance.now();
  const { instanceType, limits, driver, vm } = instancePlan({
    instanceTypes: opts.instanceType ? [opts.instanceType] : [],
  });
  const on =
    driver.driver === 'qemu'
      ? `a qemu VM (${driver.instanceType}: ${driver.cpus} vCPUs, ${driver.memoryMiB} MiB)`
      : instanceType;
  process.stderr.write(
    `ingot build: ${request.kind} ${request.name} ${request.version} with ${request.components.length} component(s) on ${on}\n`,
  );
  try {
    const result = await runBuild(request, {
      home,
      basesHome: settings.basesHome,
      outputDir,
      cache,
      noCache: opts.noCache,
      compression: opts.compression,
      signal: abort.signal,
      limits,
      vm,
      ...settingsBuildOptions(settings, opts.timeoutMinutes),
      evidence,
      onEvent: printer.onEvent,
      keepOnFailure: opts.keepOnFailure,
      ...(opts.hostNetwork ? { network: 'host' as const } : {}),
    });
    printer.done();
    process.stderr.write(
      `ingot build: done in ${((performance.now() - started) / 1000).toFixed(1)} s, tests ${result.manifest.tests}\n`,
    );
    printOutputs(outputDir, result.manifest, result.manifestPath);
    if (cache && opts.noopKey && !evidence.signingKey && request.parent.type === 'managed')
      await saveNoopRecord({
        key: opts.noopKey,
        cache,
        read,
        basesHome: settings.basesHome,
        baseName: request.parent.base,
        lowerDirs: result.lowerDirs,
        outputKey: result.outputKey,
      }).catch((err: unknown) =>
        process.stderr.write(`ingot build: could not record this build for no-op rebuilds: ${String(err)}\n`),
      );
    return { ok: true, outputDir };
  } catch (err) {
    printer.done();
    if (err instanceof BuildFailure || err instanceof BuildCancelled) {
      process.stderr.write(`ingot build: FAILED: ${err.message}\n  logs: ${join(outputDir, 'logs')}\n`);
      return { ok: false, outputDir };
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cache?.close();
  }
}
