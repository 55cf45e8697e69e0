/**
 * @module The programmatic side of `ingot build`: load the recipe, open the layer cache, run the
 * engine, print where the outputs are.
 */
import { join, resolve } from 'node:path';
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

export async function runLocalBuild(opts: LocalBuildOptions): Promise<{ ok: boolean; outputDir: string }> {
  const { settings } = opts;
  const home = settings.home;
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
