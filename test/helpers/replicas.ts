/**
 * @module Test helper: API server replicas as separate `ingot server` processes, each with its own
 * INGOT_HOME, all on one PostgreSQL database (INGOT_DATABASE_URL) and one secret key.
 */
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCommand, type StartedCommand } from '../../src/process/index.ts';
import { INGOT_BIN, TEST_BASES_HOME } from './cli.ts';
import { TEST_ACCOUNT, TEST_KEY } from './server.ts';

export interface Replica {
  url: string;
  home: string;
  proc: StartedCommand;
  client(): ImagebuilderClient;
  /** What the server wrote to stderr (internal errors). */
  stderr(): string;
  /** SIGKILL, no goodbye. */
  kill(): void;
}

export interface ReplicaSet {
  replicas: Replica[];
  stop(): Promise<void>;
}

export async function startReplicas(
  databaseUrl: string,
  n: number,
  opts: {
    worker?: boolean;
    env?: Record<string, string> /** Address to listen on (default the server's). */;
    host?: string;
  } = {},
): Promise<ReplicaSet> {
  const secretKey = randomBytes(32).toString('base64');
  const start = async (): Promise<Replica> => {
    const home = mkdtempSync(join(tmpdir(), 'ingot-replica-'));
    let out = '';
    let err = '';
    let resolveUrl: (url: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => (resolveUrl = resolve));
    const proc = startCommand(
      [
        INGOT_BIN,
        'server',
        '--port',
        '0',
        '--quiet',
        ...(opts.host ? ['--host', opts.host] : []),
        ...(opts.worker ? [] : ['--no-worker']),
      ],
      {
        env: {
          INGOT_HOME: home,
          INGOT_BASES_HOME: TEST_BASES_HOME,
          INGOT_DATABASE_URL: databaseUrl,
          INGOT_SECRET_KEY: secretKey,
          INGOT_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
          INGOT_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
          INGOT_ACCOUNT_ID: TEST_ACCOUNT,
          ...opts.env,
        },
        maxCapture: 100_000,
        check: false,
        onStdout: (chunk) => {
          out += chunk;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolveUrl(m[1]!);
        },
        onStderr: (chunk) => {
          err += chunk;
        },
      },
    );
    const ended = proc.done.then(() => {
      throw new Error(`ingot server exited before listening: ${err.slice(-2000)}`);
    });
    const listening = await Promise.race([url, ended]);
    return {
      url: listening,
      home,
      proc,
      client: () =>
        new ImagebuilderClient({ endpoint: listening, region: 'us-east-1', credentials: TEST_KEY, maxAttempts: 1 }),
      kill: () => proc.kill(),
      stderr: () => err,
    };
  };
  // One after the other: the first one migrates, the others find the schema up to date.
  const replicas: Replica[] = [];
  for (let i = 0; i < n; i++) replicas.push(await start());
  return {
    replicas,
    async stop() {
      for (const r of replicas) {
        if (r.proc.running()) {
          r.proc.kill();
          await r.proc.done.catch(() => undefined);
        }
        rmSync(r.home, { recursive: true, force: true });
      }
    },
  };
}
