/**
 * @module Where Ingot keeps its state and how the server listens: `INGOT_HOME` (default
 * `~/.ingot`) holds the SQLite database `ingot.db`, build data and caches.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_HOST = '127.0.0.1';
/** The documented default port of `ingot server`. */
export const DEFAULT_PORT = 7780;
export const DEFAULT_ACCOUNT_ID = '123456789012';

export function ingotHome(env: NodeJS.ProcessEnv = process.env): string {
  return env['INGOT_HOME'] || join(homedir(), '.ingot');
}

export const databaseFile = (home: string): string => join(home, 'ingot.db');

/** Where managed base images are cached: `$INGOT_BASES_HOME`, default the data directory. */
export function basesHome(env: NodeJS.ProcessEnv = process.env): string {
  return env['INGOT_BASES_HOME'] || ingotHome(env);
}

/** Default bound of the layer cache in GiB (override with `INGOT_CACHE_MAX_GIB`). */
const DEFAULT_CACHE_GIB = 20;

/** Where the layer cache lives and how large it may grow: one answer for server, worker and CLI. */
export function layerCacheOptions(
  home: string,
  env: NodeJS.ProcessEnv = process.env,
): { root: string; maxBytes: number } {
  const gib = Number(env['INGOT_CACHE_MAX_GIB'] ?? DEFAULT_CACHE_GIB);
  return { root: join(home, 'cache'), maxBytes: (Number.isFinite(gib) && gib > 0 ? gib : DEFAULT_CACHE_GIB) * 2 ** 30 };
}
