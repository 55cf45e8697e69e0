/**
 * @module Builds through the API: the server's in-process worker takes CreateImage jobs, moves
 * images through AWS's states to AVAILABLE with outputResources for every region, cancels a
 * running build within seconds, and a server killed mid-build marks the image FAILED on restart.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { INGOT_BIN, runIngot, TEST_BASES_HOME } from '../helpers/cli.ts';
import { startTestServer, TEST_ACCOUNT, TEST_KEY, type TestServer } from '../helpers/server.ts';
import { buildLogText } from '../helpers/build-log.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs)' : false;
const BASE = 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x';
let t: TestServer;
let c: ib.ImagebuilderClient;
let n = 0;
const ct = () => `api-build-${++n}`;

before(async () => {
  process.env['INGOT_BASES_HOME'] = TEST_BASES_HOME;
  t = await startTestServer({ worker: true });
  c = t.client();
});
after(() => t.stop());

const doc = (name: string, commands: string[]) =>
  `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n${commands.map((x) => `            - ${JSON.stringify(x)}`).join('\n')}\n`;

async function waitFor(
  client: ib.ImagebuilderClient,
  arn: string,
  done: (s: string) => boolean,
  timeoutMs = 600_000,
): Promise<ib.Image> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const image = (await client.send(new ib.GetImageCommand({ imageBuildVersionArn: arn }))).image!;
    if (done(image.state?.status ?? '')) return image;
    if (Date.now() > deadline) throw new Error(`image ${arn} still ${image.state?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function setup(name: string, commands: string[], container: boolean): Promise<string> {
  const comp = await c.send(
    new ib.CreateComponentCommand({
      name,
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data: doc(name, commands),
      clientToken: ct(),
    }),
  );
  const components = [{ componentArn: comp.componentBuildVersionArn! }];
  const recipeArn = container
    ? (
        await c.send(
          new ib.CreateContainerRecipeCommand({
            containerType: 'DOCKER',
            name,
            semanticVersion: '1.0.0',
            parentImage: BASE,
            components,
            clientToken: ct(),
            dockerfileTemplateData:
              'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\nCMD ["/bin/sh"]\n',
            targetRepository: { service: 'ECR', repositoryName: name },
          }),
        )
      ).containerRecipeArn!
    : (
        await c.send(
          new ib.CreateImageRecipeCommand({
            name,
            semanticVersion: '1.0.0',
            parentImage: BASE,
            components,
            clientToken: ct(),
          }),
        )
      ).imageRecipeArn!;
  const infra = await c.send(
    new ib.CreateInfrastructureConfigurationCommand({
      name: `${name}-infra`,
      instanceProfileName: 'ingot',
      instanceTypes: ['t3.small'],
      clientToken: ct(),
    }),
  );
  const dist = await c.send(
    new ib.CreateDistributionConfigurationCommand({
      name: `${name}-dist`,
      clientToken: ct(),
      distributions: [
        { region: 'us-east-1', amiDistributionConfiguration: {} },
        { region: 'us-west-2', amiDistributionConfiguration: {} },
      ],
    }),
  );
  const image = await c.send(
    new ib.CreateImageCommand({
      ...(container ? { containerRecipeArn: recipeArn } : { imageRecipeArn: recipeArn }),
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
      distributionConfigurationArn: dist.distributionConfigurationArn!,
      clientToken: ct(),
    }),
  );
  return image.imageBuildVersionArn!;
}

test('CreateImage of a container recipe: built, tested, AVAILABLE in two regions', { skip }, async () => {
  const arn = await setup('api-container', ['echo built-by-api > /built.txt'], true);
  const image = await waitFor(c, arn, (s) => ['AVAILABLE', 'FAILED', 'CANCELLED'].includes(s));
  assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
  assert.equal(image.type, 'DOCKER');
  const containers = image.outputResources?.containers ?? [];
  assert.deepEqual(
    containers.map((x) => x.region),
    ['us-east-1', 'us-west-2'],
  );
  const uri = containers[0]!.imageUris![0]!;
  const inspected = JSON.parse(execFileSync('skopeo', ['inspect', uri], { encoding: 'utf8' })) as { Layers: string[] };
  assert.equal(inspected.Layers.length, 2);
  const log = await buildLogText(t.server.store, arn);
  assert.match(log, /AVAILABLE/);
  assert.match(log, /build instance: t3\.small \(2 CPUs, 2048 MiB/);
  const logs = await runIngot(['logs', arn, '--follow'], { INGOT_HOME: t.home });
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /==> build/);
  assert.match(logs.stdout, /is AVAILABLE/);
  assert.match(logs.stderr, /image is AVAILABLE/);
});

test('CreateImage of an image recipe gives an AMI-like output per region', { skip }, async () => {
  const arn = await setup('api-vm', ['echo vm > /etc/ingot-vm'], false);
  const image = await waitFor(c, arn, (s) => ['AVAILABLE', 'FAILED', 'CANCELLED'].includes(s));
  assert.equal(image.state?.status, 'AVAILABLE', image.state?.reason);
  assert.deepEqual(
    image.outputResources?.amis?.map((a) => a.region),
    ['us-east-1', 'us-west-2'],
  );
  assert.equal(image.outputResources?.amis?.[0]?.accountId, TEST_ACCOUNT);
  assert.ok(
    // The copy sits in the account's own part of the us-west-2 site (images of us-east-1 builds).
    existsSync(
      join(
        t.home,
        'regions/us-west-2',
        TEST_ACCOUNT,
        'images/us-east-1',
        image.outputResources!.amis![1]!.image!,
        'rootfs.tar.zst',
      ),
    ),
  );
});

test('CancelImageCreation stops a running build within seconds and kills its processes', { skip }, async () => {
  const arn = await setup('api-slow', ['sleep 321'], false);
  await waitFor(c, arn, (s) => s === 'BUILDING');
  // Wait until the step really runs, then cancel.
  for (let i = 0; i < 60 && !pgrep('sleep 321'); i++) await new Promise((r) => setTimeout(r, 500));
  assert.ok(pgrep('sleep 321'), 'the build step is running');
  const started = Date.now();
  await c.send(new ib.CancelImageCreationCommand({ imageBuildVersionArn: arn, clientToken: ct() }));
  const image = await waitFor(c, arn, (s) => s === 'CANCELLED', 30_000);
  assert.equal(image.state?.status, 'CANCELLED');
  for (let i = 0; i < 40 && pgrep('sleep 321'); i++) await new Promise((r) => setTimeout(r, 250));
  assert.equal(pgrep('sleep 321'), false, 'no process of the build is left');
  assert.ok(Date.now() - started < 20_000, `cancelled in ${Date.now() - started} ms`);
});

function pgrep(pattern: string): boolean {
  try {
    execFileSync('pgrep', ['-f', pattern], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('a server killed with -9 mid-build marks the image FAILED with a reason when it starts again', {
  skip,
}, async () => {
  const home = mkdtempSync(join(tmpdir(), 'ingot-kill-'));
  const env = {
    ...process.env,
    INGOT_HOME: home,
    INGOT_BASES_HOME: TEST_BASES_HOME,
    INGOT_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
    INGOT_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
  };
  const start = () =>
    new Promise<{ proc: ReturnType<typeof spawn>; url: string }>((resolve, reject) => {
      const proc = spawn(INGOT_BIN, ['server', '--port', '0', '--quiet'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      proc.stdout!.on('data', (d: Buffer) => {
        const m = /listening on (http:\/\/\S+)/.exec(d.toString());
        if (m) resolve({ proc, url: m[1]! });
      });
      proc.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
  const first = await start();
  const client = new ib.ImagebuilderClient({
    endpoint: first.url,
    region: 'us-east-1',
    credentials: TEST_KEY,
    maxAttempts: 1,
  });
  const saved = c;
  c = client;
  try {
    const arn = await setup('api-killed', ['sleep 432'], false);
    await waitFor(client, arn, (s) => s === 'BUILDING');
    for (let i = 0; i < 60 && !pgrep('sleep 432'); i++) await new Promise((r) => setTimeout(r, 500));
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    // The sandbox's processes die with the server; end any straggler as a reboot would.
    try {
      execFileSync('pkill', ['-KILL', '-f', 'sleep 432'], { stdio: 'ignore' });
    } catch {
      /* none left: good */
    }
    const second = await start();
    const again = new ib.ImagebuilderClient({
      endpoint: second.url,
      region: 'us-east-1',
      credentials: TEST_KEY,
      maxAttempts: 1,
    });
    const image = (await again.send(new ib.GetImageCommand({ imageBuildVersionArn: arn }))).image!;
    assert.equal(image.state?.status, 'FAILED');
    assert.match(image.state?.reason ?? '', /Interrupted/);
    assert.doesNotMatch(
      readFileSync('/proc/self/mountinfo', 'utf8'),
      new RegExp(home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
    );
    // The killed build's work directory is gone too (issue 13 item 10).
    assert.deepEqual(
      readdirSync(join(home, 'work')).filter((n) => n.startsWith('build-')),
      [],
      'work/build-* left behind',
    );
    second.proc.kill('SIGTERM');
    await new Promise((r) => second.proc.once('exit', r));
  } finally {
    c = saved;
    try {
      rmSync(home, { recursive: true, force: true });
    } catch (err) {
      console.error('could not remove', home, err);
    }
  }
});
