/**
 * @module Build logs through the CloudWatch Logs API on Ingot's endpoint, with the real aws CLI v2
 * (Debian's): describe-log-groups, describe-log-streams, get-log-events, filter-log-events, and
 * `aws logs tail GROUP --follow` showing a line appended to a running build's log. Another account
 * sees none of it.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startTestServer, TEST_ACCOUNT, TEST_KEY, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const skip = existsSync(AWS) ? false : 'Debian awscli (v2) is not installed (scripts/install-system-deps.sh)';
const OTHER = { accessKeyId: 'AKIAINGOTTESTKEY0005', secretAccessKey: 'ingot-test-secret-key-000000000000000005' };
const HELLO =
  'name: hello\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: s\n        action: ExecuteBash\n        inputs:\n          commands: ["true"]\n';

let t: TestServer;
let imageArn: string;
let dir: string;

function env(key: { accessKeyId: string; secretAccessKey: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dir,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    AWS_PAGER: '',
    // `aws logs tail --follow` writes to a pipe here: unbuffered, so each line shows as it comes.
    PYTHONUNBUFFERED: '1',
  };
}

async function logs(args: string[], key = TEST_KEY): Promise<Record<string, unknown>> {
  const { stdout } = await run(AWS, ['logs', ...args, '--endpoint-url', t.server.url, '--output', 'json'], {
    env: env(key),
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

before(async () => {
  if (skip) return;
  t = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'ingot-logs-'));
  await t.server.store.credentials.put({ ...OTHER, accountId: '210987654321' });
  const c = t.client();
  const comp = await c.send(
    new ib.CreateComponentCommand({ name: 'logged-c', semanticVersion: '1.0.0', platform: 'Linux', data: HELLO }),
  );
  const recipe = await c.send(
    new ib.CreateImageRecipeCommand({
      name: 'logged',
      semanticVersion: '1.0.0',
      parentImage: 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x',
      components: [{ componentArn: comp.componentBuildVersionArn! }],
    }),
  );
  const infra = await c.send(
    new ib.CreateInfrastructureConfigurationCommand({ name: 'logged-i', instanceProfileName: 'ingot' }),
  );
  imageArn = (
    await c.send(
      new ib.CreateImageCommand({
        imageRecipeArn: recipe.imageRecipeArn!,
        infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
      }),
    )
  ).imageBuildVersionArn!;
  // The build's log as a worker writes it to the store (this server runs no worker).
  const now = Date.now();
  await t.server.store.buildLogs.append(imageArn, TEST_ACCOUNT, [
    { timestamp: now - 3000, message: 'build started' },
    { timestamp: now - 2000, message: 'component logged-c: phase build' },
    { timestamp: now - 1000, message: 'ERROR something failed once' },
  ]);
});
after(async () => {
  if (!skip) await t.stop();
});

test('describe-log-groups and describe-log-streams list one group per image name and one stream per build', {
  skip,
}, async () => {
  const groups = (await logs(['describe-log-groups']))['logGroups'] as { logGroupName: string }[];
  assert.deepEqual(
    groups.map((g) => g.logGroupName),
    ['/aws/imagebuilder/logged'],
  );
  const streams = (await logs(['describe-log-streams', '--log-group-name', '/aws/imagebuilder/logged']))[
    'logStreams'
  ] as { logStreamName: string; lastEventTimestamp: number }[];
  assert.deepEqual(
    streams.map((s) => s.logStreamName),
    ['1.0.0/1'],
  );
  assert.ok(streams[0]!.lastEventTimestamp > 0);
  // Another account sees no group, and asking for this one is the Logs API's not-found error.
  assert.deepEqual((await logs(['describe-log-groups'], OTHER))['logGroups'], []);
  await assert.rejects(
    logs(['describe-log-streams', '--log-group-name', '/aws/imagebuilder/logged'], OTHER),
    /ResourceNotFoundException.*log group does not exist/s,
  );
});

test('get-log-events and filter-log-events read the build log', { skip }, async () => {
  const got = await logs([
    'get-log-events',
    '--log-group-name',
    '/aws/imagebuilder/logged',
    '--log-stream-name',
    '1.0.0/1',
    '--start-from-head',
  ]);
  assert.deepEqual(
    (got['events'] as { message: string }[]).map((e) => e.message),
    ['build started', 'component logged-c: phase build', 'ERROR something failed once'],
  );
  const filtered = await logs([
    'filter-log-events',
    '--log-group-name',
    '/aws/imagebuilder/logged',
    '--filter-pattern',
    'ERROR',
  ]);
  assert.deepEqual(
    (filtered['events'] as { message: string; logStreamName: string }[]).map((e) => [e.logStreamName, e.message]),
    [['1.0.0/1', 'ERROR something failed once']],
  );
});

test('aws logs tail --follow shows a line appended to a running build log', { skip, timeout: 60_000 }, async () => {
  const child = spawn(
    AWS,
    ['logs', 'tail', '/aws/imagebuilder/logged', '--follow', '--since', '1h', '--endpoint-url', t.server.url],
    {
      env: env(TEST_KEY),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const waitFor = async (text: string) => {
    const deadline = Date.now() + 30_000;
    while (!out.includes(text)) {
      if (Date.now() > deadline) assert.fail(`aws logs tail did not print '${text}'; it printed:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    await waitFor('component logged-c: phase build');
    assert.match(out, /1\.0\.0\/1 build started/);
    await t.server.store.buildLogs.append(imageArn, TEST_ACCOUNT, [
      { timestamp: Date.now(), message: 'test phase passed' },
    ]);
    await waitFor('test phase passed');
    // Each line once, even though the CLI asks again from the newest timestamp it saw.
    assert.equal(out.split('component logged-c: phase build').length, 2);
  } finally {
    child.kill('SIGTERM');
  }
});
