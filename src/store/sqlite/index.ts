/**
 * @module The embedded store: one SQLite file (`$INGOT_HOME/ingot.db` by default).
 */
import type { Store } from '../types.ts';
import { openDatabase } from './database.ts';
import { SqliteJobQueue } from './jobs.ts';
import { SqliteResources, SqliteShares } from './resources.ts';
import { SqliteCredentials, SqliteIdempotency } from './small-repositories.ts';
import { WriteLock } from './write-lock.ts';

export function openSqliteStore(file: string): Store {
  const db = openDatabase(file);
  const lock = new WriteLock(db);
  let closed = false;
  return {
    resources: new SqliteResources(db, lock),
    shares: new SqliteShares(db, lock),
    idempotency: new SqliteIdempotency(db, lock),
    credentials: new SqliteCredentials(db, lock),
    jobs: new SqliteJobQueue(db, lock),
    transaction: (fn) => lock.write(fn),
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
