/**
 * @module `startServer`: opens the store, makes sure there is a key to sign with, and serves the
 * Image Builder API over HTTP. Used by `ingot server` and by the tests.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApiApp, type RequestLog } from '../api/app.ts';
import { createHandlers, createLogsHandler } from '../api/handlers.ts';
import { instancePassIn } from '../instance/pass-in.ts';
import type { DocumentSources } from '../services/components/document-uri.ts';
import { moveLogFilesToStore } from '../services/logs/log-files.ts';
import { auditRefused } from '../audit/audit-log.ts';
import { startEventPruning } from '../events/retention.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { isConsoleRequest, serveConsole } from './console-static.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from './config.ts';
import { ensureDefaultCredential, type DefaultCredentialResult } from './credentials.ts';
import { startInProcessWorker } from './in-process-worker.ts';
import { startOperations, type Operations, type OperationsOptions } from './operations.ts';
import { loadIngotConfig } from '../config/ingot-config.ts';
import { loadSettings, type Settings, workerToken } from '../config/settings.ts';
import { createWorkerApi } from '../api/worker-api/app.ts';
import { createMetrics, METRICS_CONTENT_TYPE, type Metrics } from '../metrics/metrics.ts';

export interface ServerOptions {
  home: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Environment laid over `process.env` to resolve the settings from (API, worker, scheduler); `home` wins over its INGOT_HOME. */
  env?: NodeJS.ProcessEnv;
  /** Settings resolved already (then `env` is not read). */
  settings?: Settings;
  onRequest?: (log: RequestLog) => void;
  onError?: (err: unknown) => void;
  validateOutputs?: boolean;
  /** Run the in-process worker that builds queued images (default: on, one build at a time). */
  worker?: false | { concurrency?: number };
  /** The pipeline scheduler (+ daily lifecycle) and the webhook dispatcher (default: on). */
  operations?: OperationsOptions;
  /** The worker API's clock (tests move it to expire leases). */
  now?: () => number;
}

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  defaultCredential: DefaultCredentialResult;
  /** The settings resolved at start-up, as the API, worker, scheduler and pruning got them. */
  settings: Settings;
  /** This server's Prometheus metrics (also at GET /metrics). */
  metrics: Metrics;
  /** Scheduler and webhook dispatcher (tests tick the scheduler by hand). */
  operations: Operations;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  // Start-up: every setting is resolved here once and passed down (API, worker, scheduler, pruning).
  const settings = opts.settings ?? loadSettings({ ...process.env, ...opts.env }, { home: opts.home });
  const store = await openStore({ ...settings, home: opts.home });
  const config = () => loadIngotConfig(settings.configFile);
  const defaultCredential = await ensureDefaultCredential(store, settings);
  await moveLogFilesToStore(store, opts.home);
  const metrics = createMetrics({ queueDepth: () => store.jobs.countByState() });
  const worker =
    opts.worker === false
      ? undefined
      : await startInProcessWorker(store, settings, opts.worker?.concurrency ?? 1, opts.onError, metrics, {
          ...process.env,
          ...opts.env,
        });
  // Build hosts (`ingot worker --control-plane`) take jobs through the worker API when a token is set.
  const workerApi = createWorkerApi({
    store,
    token: workerToken(settings),
    leaseMs: settings.buildLeaseSeconds * 1000,
    minFreeGib: settings.minFreeGib,
    metrics,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.onError ? { onError: opts.onError } : {}),
  });
  const notifyQueued = () => {
    worker?.notify();
    workerApi.notify();
  };
  // Jobs queued by other processes (API replicas, `ingot` commands) wake the claims too.
  const unwatchQueue = store.jobs.watch(notifyQueued);
  const app = createApiApp({
    handlers: createHandlers({
      store,
      home: opts.home,
      config,
      documentSources: documentSources(settings, { ...process.env, ...opts.env }),
      notifyQueued,
    }),
    logs: createLogsHandler({ store, home: opts.home }),
    lookupSecret: async (accessKeyId) => {
      const c = await store.credentials.get(accessKeyId);
      return c ? { secretAccessKey: c.secretAccessKey, accountId: c.accountId } : undefined;
    },
    onRequest: (log) => {
      metrics.apiRequests.inc({
        operation: log.operation ?? log.logsOperation ?? 'unknown',
        status: String(log.status),
      });
      auditRefused(store, log).catch(opts.onError ?? (() => undefined));
      opts.onRequest?.(log);
    },
    ...(opts.onError ? { onError: opts.onError } : {}),
    ...(opts.validateOutputs ? { validateOutputs: true } : {}),
  });
  const host = opts.host ?? DEFAULT_HOST;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    // The console's static files at /console/, the worker API at /worker/; everything else is the API.
    // `env` carries node's request (the peer address for the audit log, the raw target SigV4 signs).
    const fetch = (req: Request, env: unknown) => {
      const path = pathOf(req, env);
      if (isConsoleRequest(req.method, path)) return serveConsole(req);
      if (path === '/metrics' && req.method === 'GET') return metricsResponse(metrics);
      return path.startsWith('/worker/') ? workerApi.app.fetch(req, env) : app.fetch(req, env);
    };
    const s = serve({ fetch, hostname: host, port: opts.port ?? DEFAULT_PORT }, () => resolve(s));
    // Idle keep-alive sockets stay open longer than clients keep them idle (node's 5 s default
    // raced SDK clients reusing a socket as the server closed it: ECONNRESET). 65 s, as load balancers use.
    if ('keepAliveTimeout' in s) {
      s.keepAliveTimeout = 65_000;
      s.headersTimeout = 66_000;
    }
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const operations = startOperations(
    {
      store,
      home: opts.home,
      settings,
      config,
      notifyQueued,
      ...(opts.onError ? { onError: opts.onError } : {}),
    },
    opts.operations,
  );
  // Delivered image events older than INGOT_EVENT_RETENTION_DAYS (default 30; 0 keeps them) are deleted.
  const retentionDays = settings.eventRetentionDays;
  const pruning =
    retentionDays === undefined
      ? undefined
      : startEventPruning({ store, retentionDays, ...(opts.onError ? { onError: opts.onError } : {}) });
  let closed = false;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store,
    defaultCredential,
    settings,
    metrics,
    operations,
    async close() {
      if (closed) return;
      closed = true;
      unwatchQueue();
      workerApi.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await operations.stop();
      await pruning?.stop();
      await worker?.stop();
      await store.close();
    },
  };
}

/** Where component `uri`s are read from: INGOT_S3_ENDPOINT with the AWS_* credentials, and the CA bundle setting. */
function documentSources(settings: Settings, env: NodeJS.ProcessEnv): DocumentSources {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  const s3 =
    settings.s3Endpoint && accessKeyId && secretAccessKey
      ? { endpoint: settings.s3Endpoint, accessKeyId, secretAccessKey, region: env['AWS_REGION'] ?? 'us-east-1' }
      : undefined;
  return { s3, caFile: instancePassIn(settings).caBundle };
}

/**
 * The request's path: a plain node request target as it is (no URL object per request), anything
 * else as the URL parser normalises it.
 */
function pathOf(req: Request, env: unknown): string {
  const target = (env as { incoming?: { url?: string } } | undefined)?.incoming?.url;
  const end = typeof target === 'string' ? target.search(/[?#]/) : -1;
  const path = typeof target === 'string' ? (end < 0 ? target : target.slice(0, end)) : '';
  // Anything URL parsing could change (dots, escapes, backslashes) goes through it, so
  // routing sees the same path as the handlers.
  return /^\/[A-Za-z0-9\-_~/]*$/.test(path) ? path : new URL(req.url).pathname;
}

/** GET /metrics: the Prometheus text format (no authentication: serve it on an internal network). */
async function metricsResponse(metrics: Metrics): Promise<Response> {
  return new Response(await metrics.scrape(), { headers: { 'content-type': METRICS_CONTENT_TYPE } });
}
