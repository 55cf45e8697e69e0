/**
 * @module Helpers of the pipeline tests: a real server with a hand-driven scheduler clock, SDK
 * clients, resource set-up through the API, and polling an image to a final state.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/scheduler/clock.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import type { IngotConfig } from '../../src/config/ingot-config.ts';
import { TEST_BASES_HOME } from '../helpers/cli.ts';
import { TEST_ACCOUNT, TEST_KEY } from '../helpers/server.ts';

export { TEST_ACCOUNT, TEST_KEY };
export const BASE = 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x';
export const FINAL = ['AVAILABLE', 'FAILED', 'CANCELLED'];
export const skipUnlessRoot = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs)' : false;

export interface PipelineServer {
  home: string;
  clock: ManualClock;
  server: RunningServer;
  client: ib.ImagebuilderClient;
  writeConfig(config: IngotConfig): void;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPipelineServer(
  opts: { worker?: boolean; clock?: Date; env?: Record<string, string>; home?: string } = {},
): Promise<PipelineServer> {
  process.env['INGOT_BASES_HOME'] = TEST_BASES_HOME;
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'ingot-pipelines-'));
  const clock = new ManualClock(opts.clock ?? new Date('2026-11-25T10:00:30Z'));
  const env = {
    INGOT_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
    INGOT_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
    INGOT_ACCOUNT_ID: TEST_ACCOUNT,
    ...(opts.env ?? {}),
  };
  const launch = () =>
    startServer({
      home,
      host: '127.0.0.1',
      port: 0,
      env,
      validateOutputs: true,
      worker: opts.worker ? { concurrency: 2 } : false,
      operations: { scheduler: { clock, intervalMs: 0 }, webhooks: { intervalMs: 200 } },
      onError: (e) => console.error('server error', e),
    });
  const client = (s: RunningServer) =>
    new ib.ImagebuilderClient({ endpoint: s.url, region: 'us-east-1', credentials: TEST_KEY, maxAttempts: 1 });
  const server = await launch();
  const t: PipelineServer = {
    home,
    clock,
    server,
    client: client(server),
    writeConfig: (config) => writeFileSync(join(home, 'config.json'), JSON.stringify(config, null, 2)),
    async restart() {
      await t.server.close();
      t.server = await launch();
      t.client = client(t.server);
    },
    async stop() {
      await t.server.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
  return t;
}

let n = 0;
export const ct = (): string => `pipelines-${process.pid}-${++n}`;

export const componentDoc = (name: string, commands: string[]): string =>
  `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n${commands.map((x) => `            - ${JSON.stringify(x)}`).join('\n')}\n`;

export async function createComponent(
  c: ib.ImagebuilderClient,
  name: string,
  version: string,
  commands: string[],
): Promise<string> {
  const r = await c.send(
    new ib.CreateComponentCommand({
      name,
      semanticVersion: version,
      platform: 'Linux',
      data: componentDoc(name, commands),
      clientToken: ct(),
    }),
  );
  return r.componentBuildVersionArn!;
}

export async function waitForImage(
  c: ib.ImagebuilderClient,
  arn: string,
  done: (s: string) => boolean = (s) => FINAL.includes(s),
  timeoutMs = 300_000,
): Promise<ib.Image> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const image = (await c.send(new ib.GetImageCommand({ imageBuildVersionArn: arn }))).image!;
    if (done(image.state?.status ?? '')) return image;
    if (Date.now() > deadline) throw new Error(`image ${arn} still ${image.state?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export async function pipelineImages(c: ib.ImagebuilderClient, pipelineArn: string): Promise<ib.ImageSummary[]> {
  return (
    (await c.send(new ib.ListImagePipelineImagesCommand({ imagePipelineArn: pipelineArn }))).imageSummaryList ?? []
  );
}
