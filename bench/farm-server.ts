/**
 * @module One control plane for the farm-dispatch bench: a store of its own (SQLite file, or a
 * database on the bench's PostgreSQL cluster), `ingot server --no-worker` of a given checkout on it
 * as its own process, the store opened beside it as another API replica would (to enqueue), and
 * the server process's CPU time (utime+stime from /proc).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseFile } from '../src/server/config.ts';
import { openPostgresStore } from '../src/store/postgres/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import type { Store } from '../src/store/types.ts';

export const FARM_TOKEN = 'bench-farm-token-0123456789abcdef';

export interface FarmServer {
  url: string;
  store: Store;
  /** CPU time the server process used so far, ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Starts `root`'s `bin/ingot server` on a new database (`databaseUrl`) or a new SQLite file. */
export async function startFarmServer(root: string, databaseUrl: string | undefined): Promise<FarmServer> {
  const home = mkdtempSync(join(tmpdir(), 'bench-farm-'));
  // Opened (and migrated) before the server starts.
  const store = databaseUrl ? await openPostgresStore(databaseUrl, { home }) : openSqliteStore(databaseFile(home));
  const server = spawn(join(root, 'bin/ingot'), ['server', '--no-worker', '--quiet', '--port', '0'], {
    env: {
      ...process.env,
      ...(databaseUrl ? { INGOT_DATABASE_URL: databaseUrl } : {}),
      INGOT_HOME: home,
      INGOT_WORKER_TOKEN: FARM_TOKEN,
      INGOT_BUILD_LEASE_SECONDS: '30',
      INGOT_ACCESS_KEY_ID: 'AKIAINGOTBENCHFARM01',
      INGOT_SECRET_ACCESS_KEY: 'bench-farm-secret-000000000000000000000001',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  return {
    url,
    store,
    cpuMs() {
      const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, USER_HZ 100
    },
    async stop() {
      server.kill('SIGTERM');
      if (server.exitCode === null) await new Promise((r) => server.once('exit', r));
      await store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
