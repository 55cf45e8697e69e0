/**
 * @module Test helper: a real `ingot server` (in process, on a free loopback port, over a fresh
 * INGOT_HOME) and real AWS SDK clients for it.
 */
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/server.ts';

export const TEST_KEY = {
  accessKeyId: 'AKIAINGOTTESTKEY0001',
  secretAccessKey: 'ingot-test-secret-key-000000000000000001',
};
export const TEST_ACCOUNT = '123456789012';

export interface TestServer {
  home: string;
  server: RunningServer;
  client(region?: string, credentials?: { accessKeyId: string; secretAccessKey: string }): ImagebuilderClient;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestServer(
  opts: { worker?: boolean; home?: string; env?: Record<string, string> } = {},
): Promise<TestServer> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'ingot-api-'));
  const env = {
    INGOT_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
    INGOT_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
    INGOT_ACCOUNT_ID: TEST_ACCOUNT,
    ...opts.env,
  };
  const launch = () =>
    startServer({
      home,
      host: '127.0.0.1',
      port: 0,
      env,
      validateOutputs: true,
      worker: opts.worker ? { concurrency: 2 } : false,
      onError: (e) => console.error('server error', e),
    });
  const t: TestServer = {
    home,
    server: await launch(),
    client(region = 'us-east-1', credentials = TEST_KEY) {
      return new ImagebuilderClient({ endpoint: t.server.url, region, credentials, maxAttempts: 1 });
    },
    async restart() {
      await t.server.close();
      t.server = await launch();
    },
    async stop() {
      await t.server.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
  return t;
}
