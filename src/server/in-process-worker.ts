/**
 * @module The server's own worker: on start it cleans up after a killed predecessor (stale
 * sandboxes, builds left running → FAILED), opens the layer cache and starts taking jobs (whose first
 * reap tick undoes the distributions the predecessor left half done).
 */
import { openLayerCache } from '../cache/layer-cache.ts';
import { loadIngotConfig } from '../config/ingot-config.ts';
import { layerCacheOptions, type Settings } from '../config/settings.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Store } from '../store/types.ts';
import { reapCrashLeftovers, recoverInterruptedBuilds } from '../worker/recover.ts';
import { startWorker, type Worker } from '../worker/worker.ts';

const IN_PROCESS_PREFIX = 'inproc:';

export async function startInProcessWorker(
  store: Store,
  settings: Settings,
  concurrency: number,
  onError?: (err: unknown) => void,
  metrics?: Metrics,
  /** Where the shared layer cache's AWS_* credentials are read (default the process environment). */
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Worker> {
  const home = settings.home;
  await reapCrashLeftovers(home);
  // Only one server runs on a data directory: builds its in-process worker held are orphans now.
  await recoverInterruptedBuilds(store, (job) => job.leaseOwner?.startsWith(IN_PROCESS_PREFIX) === true);
  const cache = await openLayerCache(layerCacheOptions(settings, env));
  const worker = startWorker({
    store,
    home,
    basesHome: settings.basesHome,
    settings,
    cache,
    concurrency,
    workerId: `${IN_PROCESS_PREFIX}${process.pid}:${Date.now()}`,
    leaseMs: settings.buildLeaseSeconds * 1000,
    config: () => loadIngotConfig(settings.configFile),
    ...(onError ? { onError } : {}),
    ...(metrics ? { metrics } : {}),
  });
  return {
    id: worker.id,
    notify: worker.notify,
    running: worker.running,
    async stop() {
      await worker.stop();
      cache.close();
    },
  };
}
