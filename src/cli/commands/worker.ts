/**
 * @module `ingot worker`: a build worker in its own process, either beside the server on the same
 * data directory (the store is shared; a job is claimed by exactly one worker), or on a build host
 * with `--control-plane URL`: jobs come through the server's worker API (no database credentials
 * on the host), matched to the host's labels. A worker that dies leaves its job to another worker
 * once the lease expires.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot worker [--concurrency N] [--id NAME]
       ingot worker --control-plane URL [--concurrency N] [--id NAME] [--instance-types T1,T2]

Takes queued builds and runs them. Without --control-plane it claims them from $INGOT_HOME/ingot.db,
next to \`ingot server\` or other workers. With --control-plane it is a build host: it long-polls
the server's worker API for jobs its labels fit (architecture, KVM, instance types, free disk),
heartbeats while building (a worker silent for a lease loses the job to another), streams the
build log to the server, and publishes artifacts straight to the region sites of ITS OWN
configuration (INGOT_CONFIG: shared directories or S3 buckets, the same as the server's).
On SIGTERM/SIGINT it stops; builds it was running go back to the queue while they have attempts
left.

Options:
  --control-plane URL   the \`ingot server\` whose worker API to use
                        (e.g. https://ingot.internal:8080)
  --concurrency N       builds at a time (default 1); with --control-plane a claim asks for every
                        free slot at once
  --id NAME             name in job leases and \`ingot workers\` (default: the NAME of a per-host
                        token, else worker:HOST:PID)
  --instance-types LIST instance types this host offers (default: every sandbox type, and the
                        ingot.vm.* types where qemu is installed)
  --metrics HOST:PORT   serve Prometheus metrics at http://HOST:PORT/metrics (builds, durations,
                        heartbeats, lost leases; default off)

Environment:
  INGOT_HOME                  data directory (shared with the server, or the build host's own)
  INGOT_WORKER_TOKEN(_FILE)   with --control-plane: this host's own token (ingot workers token
                              create NAME), or the farm's shared one
  INGOT_BUILD_LEASE_SECONDS   lease (visibility timeout) of a claimed job (default 30; the server's
                              with --control-plane)
  INGOT_BUILD_MAX_ATTEMPTS    attempts of a build whose worker died (default 2; set on the server)
  INGOT_CACHE_MAX_GIB         layer cache bound (default 20; each host keeps its own cache)
  INGOT_LAYER_CACHE_S3        s3://BUCKET[/PREFIX]: share layers with other hosts through this
                              bucket of INGOT_S3_ENDPOINT (with AWS_ACCESS_KEY_ID,
                              AWS_SECRET_ACCESS_KEY; default off)`;

export const command: CommandModule = {
  summary: 'run builds in a separate worker process, here or on a build host',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        concurrency: { type: 'string' },
        id: { type: 'string' },
        'control-plane': { type: 'string' },
        'instance-types': { type: 'string' },
        metrics: { type: 'string' },
      },
      strict: true,
    });
    const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new IngotError(
        'ValidationException',
        `--concurrency must be a whole number >= 1, got '${values.concurrency}'`,
      );
    const controlPlane = values['control-plane'];
    if (controlPlane !== undefined && !/^https?:\/\/[^/]+/.test(controlPlane))
      throw new IngotError('ValidationException', `--control-plane must be an http(s) URL, got '${controlPlane}'`);
    const metricsAt = values.metrics === undefined ? undefined : /^(.+):(\d{1,5})$/.exec(values.metrics);
    if (values.metrics !== undefined && (!metricsAt || Number(metricsAt[2]) > 65535))
      throw new IngotError('ValidationException', `--metrics must be HOST:PORT, got '${values.metrics}'`);
    const { openStore } = await import('../../store/open.ts');
    const { loadIngotConfig } = await import('../../config/ingot-config.ts');
    const { layerCacheOptions, loadSettings, workerToken } = await import('../../config/settings.ts');
    const { openLayerCache } = await import('../../cache/layer-cache.ts');
    const { reapCrashLeftovers, reapExpiredJobs } = await import('../../worker/recover.ts');
    const { startWorker } = await import('../../worker/worker.ts');
    const settings = loadSettings(process.env);
    const home = settings.home;
    const token = controlPlane ? workerToken(settings) : undefined;
    // A build host's own token names it: that is its worker id unless --id says otherwise.
    const id =
      values.id ??
      (token ? (await import('../../api/worker-api/auth.ts')).tokenName(token) : undefined) ??
      `worker:${hostname()}:${process.pid}`;
    const print = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    await reapCrashLeftovers(home);
    let store: import('../../store/types.ts').Store | undefined;
    let source: import('../../worker/job-source.ts').JobSource | undefined;
    if (controlPlane) {
      if (!token)
        throw new IngotError(
          'invalid-config',
          'a build host needs a worker token: set INGOT_WORKER_TOKEN or INGOT_WORKER_TOKEN_FILE (its own, from `ingot workers token create NAME`, or the farm’s shared one)',
        );
      const { mkdirSync } = await import('node:fs');
      mkdirSync(home, { recursive: true, mode: 0o700 });
      const { detectLabels } = await import('../../worker/labels.ts');
      const { workerApiClient } = await import('../../worker/remote/client.ts');
      const { remoteJobSource } = await import('../../worker/remote/source.ts');
      const labels = await detectLabels(home, {
        ...(values['instance-types'] ? { instanceTypes: values['instance-types'].split(',').filter(Boolean) } : {}),
        ...(settings.qemuAccel ? { qemuAccel: settings.qemuAccel } : {}),
      });
      print(`labels: ${JSON.stringify(await labels())}`);
      source = remoteJobSource({
        client: workerApiClient(controlPlane, token),
        workerId: id,
        labels,
        running: () => worker.running(),
        slots: concurrency,
        onNotice: print,
      });
    } else {
      store = await openStore(settings);
      await reapExpiredJobs(store);
    }
    const cache = await openLayerCache(layerCacheOptions(settings));
    const { createMetrics } = await import('../../metrics/metrics.ts');
    const metrics = createMetrics();
    const endpoint = metricsAt
      ? await (await import('../../metrics/serve.ts')).serveMetrics(
          metrics,
          metricsAt[1]!.replace(/^\[(.*)\]$/, '$1'),
          Number(metricsAt[2]),
        )
      : undefined;
    if (endpoint) print(`metrics at ${endpoint.url}`);
    const worker = startWorker({
      metrics,
      ...(source ? { source } : { store }),
      home,
      basesHome: settings.basesHome,
      settings,
      cache,
      concurrency,
      workerId: id,
      leaseMs: settings.buildLeaseSeconds * 1000,
      config: () => loadIngotConfig(settings.configFile),
      onError: (err) => process.stderr.write(`ingot worker: ${err instanceof Error ? err.stack : String(err)}\n`),
    });
    process.stdout.write(
      `ingot worker ${worker.id} ready (data in ${home}, ${controlPlane ? `control plane ${controlPlane}` : `lease ${settings.buildLeaseSeconds}s`})\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await worker.stop();
    await endpoint?.close();
    cache.close();
    await store?.close();
    return 0;
  },
};
