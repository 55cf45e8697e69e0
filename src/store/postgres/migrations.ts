/**
 * @module Schema migrations of the PostgreSQL store, applied on start in order, each in its own
 * transaction, under a session advisory lock so replicas starting together never race. Text that
 * is sorted or range-compared uses COLLATE "C" (byte order, as in SQLite), whatever the
 * database's default collation. Append new migrations; never edit one that has shipped.
 */
import type { PgDatabase } from './database.ts';

export const MIGRATIONS: readonly string[] = [
  // 1: everything the SQLite store holds after its migration 5
  `
  CREATE TABLE resources (
    arn TEXT COLLATE "C" PRIMARY KEY,
    type TEXT COLLATE "C" NOT NULL,
    account TEXT COLLATE "C" NOT NULL,
    region TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    version TEXT COLLATE "C",
    build INTEGER,
    sort_key TEXT COLLATE "C" NOT NULL,
    doc JSON NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    latest BOOLEAN NOT NULL DEFAULT TRUE,
    state_status TEXT COLLATE "C"
  );
  CREATE INDEX resources_by_type ON resources(type, region, sort_key);
  CREATE INDEX resources_by_name ON resources(type, region, name, account);
  CREATE INDEX resources_versions ON resources(type, region, account, name, version, build);
  CREATE INDEX resources_latest ON resources(type, region, sort_key) WHERE latest;

  CREATE TABLE resource_references (
    from_arn TEXT COLLATE "C" NOT NULL,
    to_arn TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (from_arn, to_arn)
  );
  CREATE INDEX resource_references_to ON resource_references(to_arn);
  CREATE TABLE resource_policies (arn TEXT COLLATE "C" PRIMARY KEY, policy TEXT NOT NULL);
  CREATE TABLE resource_shares (
    arn TEXT COLLATE "C" NOT NULL,
    account TEXT COLLATE "C" NOT NULL,
    type TEXT COLLATE "C" NOT NULL,
    region TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (arn, account)
  );
  CREATE INDEX resource_shares_by_account ON resource_shares(account, type, region);
  CREATE TABLE deleted_builds (
    type TEXT NOT NULL, region TEXT NOT NULL, account TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
    last_build INTEGER NOT NULL,
    PRIMARY KEY (type, region, account, name, version)
  );

  CREATE TABLE idempotency (
    scope TEXT NOT NULL,
    client_token TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, client_token)
  );
  CREATE TABLE credentials (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    account_id TEXT NOT NULL,
    created_at TEXT NOT NULL
  );

  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    resource_arn TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_at BIGINT,
    last_error TEXT,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX jobs_runnable ON jobs(state, seq);
  CREATE INDEX jobs_by_resource ON jobs(resource_arn);

  CREATE TABLE pipeline_schedules (
    pipeline_arn TEXT PRIMARY KEY,
    next_run BIGINT,
    last_fired BIGINT,
    last_fingerprint TEXT,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE audit_log (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT COLLATE "C" NOT NULL,
    account TEXT,
    access_key TEXT,
    operation TEXT NOT NULL,
    resource_arn TEXT,
    source_ip TEXT,
    outcome TEXT NOT NULL,
    request_id TEXT
  );
  CREATE INDEX audit_log_by_time ON audit_log(at);
  CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
  CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

  CREATE TABLE image_events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    image_arn TEXT NOT NULL,
    status TEXT,
    doc JSON NOT NULL,
    at TEXT COLLATE "C" NOT NULL
  );
  -- Events must become visible in seq order (readers keep a cursor): the transaction-scoped
  -- advisory lock makes writers of image events take numbers and commit one after another.
  CREATE FUNCTION record_image_event() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.type = 'image' AND (TG_OP = 'INSERT' OR (NEW.doc #>> '{state,status}') IS DISTINCT FROM (OLD.doc #>> '{state,status}')) THEN
      PERFORM pg_advisory_xact_lock(7301101);
      INSERT INTO image_events (image_arn, status, doc, at) VALUES (NEW.arn, NEW.doc #>> '{state,status}', NEW.doc, NEW.updated_at);
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER image_events_on_change AFTER INSERT OR UPDATE OF doc ON resources
    FOR EACH ROW EXECUTE FUNCTION record_image_event();

  CREATE TABLE event_cursors (name TEXT PRIMARY KEY, seq BIGINT NOT NULL);
  CREATE TABLE event_deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_seq BIGINT NOT NULL,
    topic_arn TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at TEXT,
    last_error TEXT,
    UNIQUE (event_seq, url)
  );
  CREATE INDEX event_deliveries_due ON event_deliveries(delivered_at, next_attempt_at);

  CREATE TABLE lifecycle_executions (
    id TEXT PRIMARY KEY,
    policy_arn TEXT NOT NULL,
    doc TEXT NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX lifecycle_executions_by_policy ON lifecycle_executions(policy_arn, started_at);
  CREATE TABLE lifecycle_execution_resources (
    execution_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    resource_arn TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (execution_id, seq)
  );
  CREATE INDEX lifecycle_execution_resources_by_arn ON lifecycle_execution_resources(resource_arn);
  `,
  // 2: the build hosts of the farm as the worker API last saw them (SQLite's migration 6)
  `
  CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    labels TEXT NOT NULL,
    last_seen TEXT COLLATE "C" NOT NULL
  );
  `,
  // 3: workflow executions of image builds and their step executions (SQLite's migration 7);
  // seq_no keeps insertion order where SQLite uses its rowid.
  `
  CREATE TABLE workflow_executions (
    id TEXT PRIMARY KEY,
    seq_no BIGSERIAL,
    image_arn TEXT NOT NULL,
    workflow_arn TEXT NOT NULL,
    account TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX workflow_executions_by_image ON workflow_executions(image_arn, started_at);
  CREATE TABLE workflow_step_executions (
    id TEXT PRIMARY KEY,
    seq_no BIGSERIAL,
    execution_id TEXT NOT NULL,
    image_arn TEXT NOT NULL,
    workflow_arn TEXT NOT NULL,
    account TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX workflow_step_executions_by_execution ON workflow_step_executions(execution_id, seq);
  CREATE INDEX workflow_step_executions_by_status ON workflow_step_executions(account, status, started_at);
  `,
  // 8: the documents (manifest, SBOMs, findings) of images built on build hosts, sent through the worker API
  `
  CREATE TABLE image_documents (
    image_arn TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    account TEXT NOT NULL,
    body TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (image_arn, name)
  );
  `,
  // 9: each build host's own worker token (ingot workers token create NAME), hashed
  `
  CREATE TABLE worker_tokens (
    name TEXT COLLATE "C" PRIMARY KEY,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // PostgreSQL only (no SQLite counterpart: SQLite has no notifications, its store watches the
  // file's data_version): a job that becomes queued (enqueued, or put back) is announced on a
  // channel, so the waiting claims of every replica wake at its commit, not at their next poll.
  `
  CREATE FUNCTION notify_job_queued() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN PERFORM pg_notify('ingot_jobs_queued', ''); RETURN NULL; END $$;
  CREATE TRIGGER jobs_queued AFTER INSERT OR UPDATE OF state ON jobs
    FOR EACH ROW WHEN (NEW.state = 'queued') EXECUTE FUNCTION notify_job_queued();
  `,
  // 10: every image's build log (any worker's), so every API server reads it: one row per line, a
  // summary per image (next seq, bytes, first and last time)
  `
  CREATE TABLE build_log_streams (
    image_arn TEXT COLLATE "C" PRIMARY KEY,
    account TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    first_ts BIGINT,
    last_ts BIGINT
  );
  CREATE INDEX build_log_streams_by_account ON build_log_streams(account);
  CREATE TABLE build_log_lines (
    image_arn TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (image_arn, seq)
  );
  `,
];

/** Key of the session advisory lock held while migrating. */
const MIGRATION_LOCK = 7301100;

export async function migrate(db: PgDatabase): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    for (let i = rows[0]?.v ?? 0; i < MIGRATIONS.length; i++) {
      await client.query('BEGIN');
      try {
        await client.query(MIGRATIONS[i]!);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          i + 1,
          new Date().toISOString(),
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
