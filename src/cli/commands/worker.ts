/**
 * @module `ingot worker`: a build worker in its own process on the same data directory as the
 * server (the SQLite store is shared; a job is claimed by exactly one worker). A worker that dies
 * leaves its job to another worker once the lease expires.
 */
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot worker [--concurrency N] [--id NAME]

Takes queued builds from $INGOT_HOME/ingot.db and runs them, next to \`ingot server\` or other
workers. On SIGTERM/SIGINT it stops; builds it was running go back to the queue while they have
attempts left.

Options:
  --concurrency N   builds at a time (default 1)
  --id NAME         name in job leases (default worker:HOST:PID)

Environment:
  INGOT_HOME                  data directory shared with the server
  INGOT_BUILD_LEASE_SECONDS   lease (visibility timeout) of a claimed job (default 30)
  INGOT_BUILD_MAX_ATTEMPTS    attempts of a build whose worker died (default 2; set on the server)
  INGOT_CACHE_MAX_GIB         layer cache bound (default 20)`;

export const command: CommandModule = {
  summary: 'run builds in a separate worker process',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { concurrency: { type: 'string' }, id: { type: 'string' } },
      strict: true,
    });
    const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new IngotError(
        'ValidationException',
        `--concurrency must be a whole number >= 1, got '${values.concurrency}'`,
      );
    const { openStore } = await import('../../store/open.ts');
    const { loadIngotConfig } = await import('../../config/ingot-config.ts');
    const { layerCacheOptions, loadSettings } = await import('../../config/settings.ts');
    const { openLayerCache } = await import('../../cache/layer-cache.ts');
    const { reapCrashLeftovers, reapExpiredJobs } = await import('../../worker/recover.ts');
    const { startWorker } = await import('../../worker/worker.ts');
    const settings = loadSettings(process.env);
    const home = settings.home;
    const store = await openStore(settings);
    await reapCrashLeftovers(home);
    await reapExpiredJobs(store);
    const cache = await openLayerCache(layerCacheOptions(settings));
    const worker = startWorker({
      store,
      home,
      basesHome: settings.basesHome,
      settings,
      cache,
      concurrency,
      leaseMs: settings.buildLeaseSeconds * 1000,
      config: () => loadIngotConfig(settings.configFile),
      ...(values.id ? { workerId: values.id } : {}),
      onError: (err) => process.stderr.write(`ingot worker: ${err instanceof Error ? err.stack : String(err)}\n`),
    });
    process.stdout.write(`ingot worker ${worker.id} ready (data in ${home}, lease ${settings.buildLeaseSeconds}s)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await worker.stop();
    cache.close();
    await store.close();
    return 0;
  },
};
