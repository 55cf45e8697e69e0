/**
 * @module Opens the SQLite database file (WAL, busy timeout, foreign keys) and brings its schema
 * up to date with the migrations.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { prepareDataFiles, secureDataFiles } from './file-modes.ts';
import { MIGRATIONS } from './migrations.ts';

export function openDatabase(file: string): DatabaseSync {
  if (file !== ':memory:') prepareDataFiles(file);
  // Several processes (server, `ingot worker`s) may share the file and open it at once: wait for
  // locks, do not fail (the busy timeout is set on opening; the switch to WAL retries on its own).
  const db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS });
  enableWal(db);
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  migrate(db);
  if (file !== ':memory:') secureDataFiles(file);
  return db;
}

const BUSY_TIMEOUT_MS = 10_000;
const SQLITE_BUSY = 5;

/**
 * Switches a new file to WAL. SQLite answers that switch with SQLITE_BUSY without calling the busy
 * handler when another process opens the same new file at that moment, so it is retried here.
 */
export function enableWal(db: DatabaseSync, timeoutMs = BUSY_TIMEOUT_MS): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      db.exec('PRAGMA journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { errcode?: number }).errcode !== SQLITE_BUSY || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.floor(Math.random() * 20));
    }
  }
}

function migrate(db: DatabaseSync): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT',
  );
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  for (let i = current; i < MIGRATIONS.length; i++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      // Another process may have migrated while we waited for the lock.
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(i + 1);
      if (!again) {
        db.exec(MIGRATIONS[i]!);
        db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
          i + 1,
          new Date().toISOString(),
        );
      }
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
}

const statementCache = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/** Prepares `sql` once per database and reuses the statement (hot paths run thousands a second). */
export function statement(db: DatabaseSync, sql: string): StatementSync {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

const arrayStatementCache = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/** Like `statement`, but its rows come back as arrays of column values (cheaper than objects). */
export function arrayStatement(db: DatabaseSync, sql: string): StatementSync {
  let cache = arrayStatementCache.get(db);
  if (!cache) arrayStatementCache.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    stmt.setReturnArrays(true);
    cache.set(sql, stmt);
  }
  return stmt;
}
