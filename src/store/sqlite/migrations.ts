/**
 * @module Schema migrations of the SQLite store, applied in order inside one transaction each.
 * Append new migrations; never edit one that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: resources, references, shares, idempotency, credentials, jobs
  `
  CREATE TABLE resources (
    arn TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT,
    build INTEGER,
    sort_key TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX resources_by_type ON resources(type, region, sort_key);
  CREATE INDEX resources_by_name ON resources(type, region, name, account);

  CREATE TABLE resource_references (
    from_arn TEXT NOT NULL,
    to_arn TEXT NOT NULL,
    PRIMARY KEY (from_arn, to_arn)
  ) STRICT;
  CREATE INDEX resource_references_to ON resource_references(to_arn);

  CREATE TABLE resource_policies (
    arn TEXT PRIMARY KEY,
    policy TEXT NOT NULL
  ) STRICT;
  CREATE TABLE resource_shares (
    arn TEXT NOT NULL,
    account TEXT NOT NULL,
    type TEXT NOT NULL,
    region TEXT NOT NULL,
    PRIMARY KEY (arn, account)
  ) STRICT;
  CREATE INDEX resource_shares_by_account ON resource_shares(account, type, region);

  CREATE TABLE idempotency (
    scope TEXT NOT NULL,
    client_token TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, client_token)
  ) STRICT;

  CREATE TABLE credentials (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    account_id TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    resource_arn TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    last_error TEXT,
    seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX jobs_runnable ON jobs(state, seq);
  CREATE INDEX jobs_by_resource ON jobs(resource_arn);
  `,
  // 2: pipeline schedule state, audit log, image state-change events + webhook deliveries,
  // lifecycle executions
  `
  CREATE TABLE pipeline_schedules (
    pipeline_arn TEXT PRIMARY KEY,
    next_run INTEGER,
    last_fired INTEGER,
    last_fingerprint TEXT,
    updated_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    account TEXT,
    access_key TEXT,
    operation TEXT NOT NULL,
    resource_arn TEXT,
    source_ip TEXT,
    outcome TEXT NOT NULL,
    request_id TEXT
  ) STRICT;
  CREATE INDEX audit_log_by_time ON audit_log(at);
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

  CREATE TABLE image_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    image_arn TEXT NOT NULL,
    status TEXT,
    doc TEXT NOT NULL,
    at TEXT NOT NULL
  ) STRICT;
  CREATE TRIGGER image_events_on_insert AFTER INSERT ON resources WHEN NEW.type = 'image'
  BEGIN
    INSERT INTO image_events (image_arn, status, doc, at) VALUES (NEW.arn, json_extract(NEW.doc, '$.state.status'), NEW.doc, NEW.updated_at);
  END;
  CREATE TRIGGER image_events_on_update AFTER UPDATE OF doc ON resources
  WHEN NEW.type = 'image' AND json_extract(NEW.doc, '$.state.status') IS NOT json_extract(OLD.doc, '$.state.status')
  BEGIN
    INSERT INTO image_events (image_arn, status, doc, at) VALUES (NEW.arn, json_extract(NEW.doc, '$.state.status'), NEW.doc, NEW.updated_at);
  END;

  CREATE TABLE event_cursors (name TEXT PRIMARY KEY, seq INTEGER NOT NULL) STRICT;
  CREATE TABLE event_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_seq INTEGER NOT NULL,
    topic_arn TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at TEXT,
    last_error TEXT,
    UNIQUE (event_seq, url)
  ) STRICT;
  CREATE INDEX event_deliveries_due ON event_deliveries(delivered_at, next_attempt_at);

  CREATE TABLE lifecycle_executions (
    id TEXT PRIMARY KEY,
    policy_arn TEXT NOT NULL,
    doc TEXT NOT NULL,
    started_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX lifecycle_executions_by_policy ON lifecycle_executions(policy_arn, started_at);
  CREATE TABLE lifecycle_execution_resources (
    execution_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    resource_arn TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (execution_id, seq)
  ) STRICT;
  CREATE INDEX lifecycle_execution_resources_by_arn ON lifecycle_execution_resources(resource_arn);
  `,
  // 3: finding the newest build of each version (ListImages/ListComponents) from the index alone
  `
  CREATE INDEX resources_versions ON resources(type, region, account, name, version, build);
  `,
  // 4: list columns kept at write time, so a List* page reads no document to filter: \`latest\`
  // flags the newest build of each (type, region, account, name, version) (what
  // latestBuildOnly asks for, formerly a correlated NOT EXISTS per row), \`state_status\` mirrors
  // the document's state.status (ListImages' default filter, formerly json_extract per row).
  // The partial index gives a latest-only page in sort order without visiting older builds.
  `
  ALTER TABLE resources ADD COLUMN latest INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE resources ADD COLUMN state_status TEXT;
  UPDATE resources SET state_status = CASE json_type(doc, '$.state.status') WHEN 'text' THEN json_extract(doc, '$.state.status') END;
  UPDATE resources SET latest = 0 WHERE EXISTS (SELECT 1 FROM resources r2 WHERE r2.type = resources.type AND r2.region = resources.region
    AND r2.account = resources.account AND r2.name = resources.name AND r2.version = resources.version AND r2.build > resources.build);
  CREATE INDEX resources_latest ON resources(type, region, sort_key) WHERE latest = 1;
  `,
  // 5: the highest build number a deleted build had, per version, so that a build number is never
  // given twice (one ARN never names two different documents).
  `
  CREATE TABLE deleted_builds (
    type TEXT NOT NULL,
    region TEXT NOT NULL,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    last_build INTEGER NOT NULL,
    PRIMARY KEY (type, region, account, name, version)
  ) STRICT;
  `,
  // 6: the build hosts of the farm as the worker API last saw them (ingot workers)
  `
  CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    labels TEXT NOT NULL,
    last_seen TEXT NOT NULL
  ) STRICT;
  `,
  // 7: workflow executions of image builds and their step executions (issue 16).
  `
  CREATE TABLE workflow_executions (
    id TEXT PRIMARY KEY,
    image_arn TEXT NOT NULL,
    workflow_arn TEXT NOT NULL,
    account TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    started_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX workflow_executions_by_image ON workflow_executions(image_arn, started_at);
  CREATE TABLE workflow_step_executions (
    id TEXT PRIMARY KEY,
    execution_id TEXT NOT NULL,
    image_arn TEXT NOT NULL,
    workflow_arn TEXT NOT NULL,
    account TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    started_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX workflow_step_executions_by_execution ON workflow_step_executions(execution_id, seq);
  CREATE INDEX workflow_step_executions_by_status ON workflow_step_executions(account, status, started_at);
  `,
  // 8: the documents (manifest, SBOMs, findings) of images built on build hosts, sent through the worker API
  `
  CREATE TABLE image_documents (
    image_arn TEXT NOT NULL,
    name TEXT NOT NULL,
    account TEXT NOT NULL,
    body TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (image_arn, name)
  ) STRICT;
  `,
  // 9: each build host's own worker token (ingot workers token create NAME), hashed
  `
  CREATE TABLE worker_tokens (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;
  `,
  // 10: every image's build log (any worker's), so every API server reads it: one row per line, a
  // summary per image (next seq, bytes, first and last time)
  `
  CREATE TABLE build_log_streams (
    image_arn TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    first_ts INTEGER,
    last_ts INTEGER
  ) STRICT;
  CREATE INDEX build_log_streams_by_account ON build_log_streams(account);
  CREATE TABLE build_log_lines (
    image_arn TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (image_arn, seq)
  ) STRICT;
  `,
];
