/**
 * @module The embedded store: one SQLite file (`$INGOT_HOME/ingot.db` by default).
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { Store } from '../types.ts';
import { loadSecretBox, SecretBox } from '../secret-box.ts';
import { openDatabase } from './database.ts';
import { SqliteAudit } from './audit.ts';
import { SqliteEvents } from './events.ts';
import { SqliteJobQueue } from './jobs.ts';
import { SqliteLifecycleExecutions } from './lifecycle-executions.ts';
import { SqliteSchedules } from './schedules.ts';
import { SqliteResources, SqliteShares } from './resources.ts';
import { SqliteCredentials, SqliteIdempotency } from './small-repositories.ts';
import { SqliteWorkers } from './workers.ts';
import { SqliteBuildLogs } from './build-logs.ts';
import { SqliteImageDocuments } from './image-documents.ts';
import { SqliteWorkerTokens } from './worker-tokens.ts';
import { SqliteWorkflowExecutions } from './workflow-executions.ts';
import { WriteLock } from './write-lock.ts';

export interface SqliteStoreOptions {
  /** Attempts of a job queued without its own maxAttempts (INGOT_BUILD_MAX_ATTEMPTS); default 1. */
  defaultMaxAttempts?: number;
  /** The most lines kept of one image's build log (INGOT_BUILD_LOG_MAX_LINES). */
  buildLogMaxLines?: number;
  /** Encrypts stored secrets (default: the operator's key, see secret-box.ts, next to the database file). */
  secretBox?: SecretBox;
  /** Where that key comes from (the INGOT_SECRET_KEY / INGOT_SECRET_KEY_FILE settings). */
  secretKey?: { inline?: string; file?: string };
}

export function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): Store {
  const db = openDatabase(file);
  const lock = new WriteLock(db);
  const box =
    opts.secretBox ??
    (file === ':memory:'
      ? new SecretBox(randomBytes(32), 'a key of this process')
      : loadSecretBox(dirname(file), opts.secretKey));
  const credentials = new SqliteCredentials(db, lock, box);
  credentials.sealPlaintext();
  let closed = false;
  return {
    resources: new SqliteResources(db, lock),
    imageDocuments: new SqliteImageDocuments(db, lock),
    buildLogs: new SqliteBuildLogs(db, lock, opts.buildLogMaxLines),
    workerTokens: new SqliteWorkerTokens(db, lock),
    shares: new SqliteShares(db, lock),
    idempotency: new SqliteIdempotency(db, lock),
    credentials,
    jobs: new SqliteJobQueue(db, lock, opts.defaultMaxAttempts ?? 1),
    workers: new SqliteWorkers(db, lock),
    schedules: new SqliteSchedules(db, lock),
    audit: new SqliteAudit(db, lock),
    events: new SqliteEvents(db, lock),
    lifecycleExecutions: new SqliteLifecycleExecutions(db, lock),
    workflowExecutions: new SqliteWorkflowExecutions(db, lock),
    transaction: (fn) => lock.write(fn),
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
