/**
 * @module How the server listens and where its database is; every other setting (INGOT_HOME and
 * friends) is in the settings table, src/config/settings.ts.
 */
import { join } from 'node:path';

export { DEFAULT_ACCOUNT_ID } from '../config/settings.ts';
export { layerCacheOptions } from '../config/settings.ts';

export const DEFAULT_HOST = '127.0.0.1';
/** The documented default port of `ingot server`. */
export const DEFAULT_PORT = 7780;

export const databaseFile = (home: string): string => join(home, 'ingot.db');
