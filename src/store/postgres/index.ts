/**
 * @module The PostgreSQL store (`INGOT_DATABASE_URL=postgres://...`): the same `Store` as the
 * embedded SQLite one, for several servers and workers on one database. Migrates on open.
 */
import { PgBuildLogs } from './build-logs.ts';
import { PgImageDocuments } from './image-documents.ts';
import { PgWorkerTokens } from './worker-tokens.ts';
import type { Store } from '../types.ts';
import { loadSecretBox, type SecretBox } from '../secret-box.ts';
import { PgDatabase } from './database.ts';
import { PgEvents } from './events.ts';
import { PgJobQueue } from './jobs.ts';
import { migrate } from './migrations.ts';
import { PgAudit, PgLifecycleExecutions, PgSchedules, PgWorkers } from './operations.ts';
import { PgResources, PgShares } from './resources.ts';
import { PgCredentials, PgIdempotency } from './small-repositories.ts';
import { PgWorkflowExecutions } from './workflow-executions.ts';

export interface PostgresStoreOptions {
  /** Attempts of a job queued without its own maxAttempts (INGOT_BUILD_MAX_ATTEMPTS); default 1. */
  defaultMaxAttempts?: number;
  secretBox?: SecretBox;
  /** Where the key of stored secrets comes from; `home` holds the default key file. */
  secretKey?: { inline?: string; file?: string };
  home?: string;
  /** The most lines kept of one image's build log (INGOT_BUILD_LOG_MAX_LINES). */
  buildLogMaxLines?: number;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const db = new PgDatabase(url, opts.poolSize);
  try {
    await migrate(db);
    const box = opts.secretBox ?? loadSecretBox(opts.home ?? '.', opts.secretKey);
    const credentials = new PgCredentials(db, box);
    await credentials.checkKey();
    let closed = false;
    return {
      resources: new PgResources(db),
      imageDocuments: new PgImageDocuments(db),
      buildLogs: new PgBuildLogs(db, opts.buildLogMaxLines),
      workerTokens: new PgWorkerTokens(db),
      shares: new PgShares(db),
      idempotency: new PgIdempotency(db),
      credentials,
      jobs: new PgJobQueue(db, opts.defaultMaxAttempts ?? 1),
      schedules: new PgSchedules(db),
      audit: new PgAudit(db),
      events: new PgEvents(db),
      lifecycleExecutions: new PgLifecycleExecutions(db),
      workflowExecutions: new PgWorkflowExecutions(db),
      workers: new PgWorkers(db),
      transaction: (fn) => db.transaction(fn),
      async close() {
        if (closed) return;
        closed = true;
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
