/**
 * @module The one place that chooses the store: PostgreSQL when `INGOT_DATABASE_URL` is set,
 * else the embedded SQLite file `$INGOT_HOME/ingot.db`.
 */
import { join } from 'node:path';
import { type Settings, storeSecretKey } from '../config/settings.ts';
import type { Store } from './types.ts';

export type StoreSettings = Pick<Settings, 'home' | 'databaseUrl' | 'secretKey' | 'secretKeyFile'> &
  Partial<Pick<Settings, 'buildMaxAttempts' | 'databasePoolSize' | 'buildLogMaxLines'>>;

export async function openStore(settings: StoreSettings): Promise<Store> {
  const common = {
    ...(settings.buildMaxAttempts !== undefined ? { defaultMaxAttempts: settings.buildMaxAttempts } : {}),
    ...(settings.buildLogMaxLines !== undefined ? { buildLogMaxLines: settings.buildLogMaxLines } : {}),
    secretKey: storeSecretKey(settings),
  };
  if (settings.databaseUrl) {
    const { openPostgresStore } = await import('./postgres/index.ts');
    return openPostgresStore(settings.databaseUrl, {
      ...common,
      home: settings.home,
      ...(settings.databasePoolSize !== undefined ? { poolSize: settings.databasePoolSize } : {}),
    });
  }
  const { openSqliteStore } = await import('./sqlite/index.ts');
  return openSqliteStore(join(settings.home, 'ingot.db'), common);
}
