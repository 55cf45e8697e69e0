/**
 * @module The server's own worker: on start it cleans up after a killed predecessor (stale
 * sandboxes, builds left running → FAILED), opens the layer cache and starts taking jobs.
 */
import { openLayerCache } from '../cache/layer-cache.ts';
import { basesHome, layerCacheOptions } from './config.ts';
import { buildSettings, loadIngotConfig } from '../config/ingot-config.ts';
import type { Store } from '../store/types.ts';
import { reapCrashLeftovers, recoverInterruptedBuilds } from '../worker/recover.ts';
import { startWorker, type Worker } from '../worker/worker.ts';

const IN_PROCESS_PREFIX = 'inproc:';

export async function startInProcessWorker(
  store: Store,
  home: string,
  concurrency: number,
  onError?: (err: unknown) => void,
): Promise<Worker> {
  await reapCrashLeftovers(home);
  // Only one server runs on a data directory: builds its in-process worker held are orphans now.
  await recoverInterruptedBuilds(store, (job) => job.leaseOwner?.startsWith(IN_PROCESS_PREFIX) === true);
  const cache = await openLayerCache(layerCacheOptions(home));
  const worker = startWorker({
    store,
    home,
    basesHome: basesHome(),
    cache,
    concurrency,
    workerId: `${IN_PROCESS_PREFIX}${process.pid}:${Date.now()}`,
    leaseMs: buildSettings(home).leaseMs,
    config: () => loadIngotConfig(home),
    ...(onError ? { onError } : {}),
  });
  return {
    id: worker.id,
    notify: worker.notify,
    async stop() {
      await worker.stop();
      cache.close();
    },
  };
}
