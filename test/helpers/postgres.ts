/**
 * @module A real PostgreSQL for the tests: Debian's binaries (`/usr/lib/postgresql/N/bin`), a
 * cluster made with `initdb` in a temp dir and run with `pg_ctl` as a plain process on a free
 * loopback port (no systemd). As root the cluster runs as the `postgres` user (PostgreSQL refuses
 * root). Each test gets its own empty schema from `createDatabase`. `postgresSkip` says why tests skip.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runCommand } from '../../src/process/index.ts';

const ROOT = '/usr/lib/postgresql';

function binDir(): string | undefined {
  if (!existsSync(ROOT)) return undefined;
  const versions = readdirSync(ROOT)
    .filter((v) => existsSync(join(ROOT, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(ROOT, versions[0], 'bin') : undefined;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export const postgresSkip: string | undefined = binDir()
  ? undefined
  : `PostgreSQL binaries not found under ${ROOT} (install the Debian package postgresql; scripts/install-system-deps.sh does)`;

export interface PostgresServer {
  port: number;
  /** URL of the server's `postgres` database. */
  url: string;
  /** A fresh, empty database (a schema of its own, named by the URL's search_path); its URL. */
  createDatabase(): Promise<string>;
  /** `pg_ctl restart -m fast`: every connection is dropped. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const asRoot = userInfo().uid === 0;
/** As root, the command runs as the `postgres` user. */
const as = (argv: string[]): string[] => (asRoot ? ['runuser', '-u', 'postgres', '--', ...argv] : argv);

let counter = 0;

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  if (!bin) throw new Error(postgresSkip);
  const dir = mkdtempSync(join(tmpdir(), 'ingot-pg-'));
  if (asRoot) {
    const { uid, gid } = await postgresIds();
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  await runCommand(
    as([join(bin, 'initdb'), '-D', data, '-U', 'ingot', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '-N']),
    { label: 'initdb' },
  );
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  const ctl = (...args: string[]) =>
    runCommand(as([join(bin, 'pg_ctl'), '-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', ...args]), {
      label: `pg_ctl ${args[0]}`,
    });
  await ctl('start', '-o', options);
  const url = `postgres://ingot@127.0.0.1:${port}/postgres`;
  let stopped = false;
  // A test process that ends without its `after` hooks (cancelled, timed out) still stops the
  // cluster: an exit handler can only run synchronous code.
  process.once('exit', () => {
    if (stopped) return;
    try {
      const [cmd, ...args] = as([join(bin, 'pg_ctl'), '-D', data, 'stop', '-m', 'immediate']);
      execFileSync(cmd!, args, { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* already stopped */
    }
  });
  return {
    port,
    url,
    async createDatabase() {
      // A schema of its own in one shared database: as isolated as a database for the store
      // (tables, functions, migrations), without CREATE DATABASE's checkpoint (~0.7 s each).
      const name = `t${process.pid}_${++counter}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${name}`);
      } finally {
        await client.end();
      }
      return `${url}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
    },
    async restart() {
      await ctl('restart', '-m', 'fast', '-o', options);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await ctl('stop', '-m', 'immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await runCommand(['id', '-u', 'postgres']);
  const { stdout: g } = await runCommand(['id', '-g', 'postgres']);
  return { uid: Number(stdout.trim()), gid: Number(g.trim()) };
}
