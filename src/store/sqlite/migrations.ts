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
];
