/** @module End-to-end tests of the API app with the real `aws` CLI (v1 on PATH and/or Debian's v2). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { promisify } from 'node:util';
import { notFound } from '../../src/errors/ingot-error.ts';
import { createApiApp } from '../../src/api/app.ts';
import { serveApp, type ServedApp } from '../helpers/serve-app.ts';
import { lookupTestKey, TEST_KEY } from '../helpers/signed-fetch.ts';

const run = promisify(execFile);
const ARN = 'arn:aws:imagebuilder:us-east-1:123456789012:component/my-comp/1.0.0/1';
const MISSING = 'arn:aws:imagebuilder:us-east-1:123456789012:image/gone/1.0.0/1';

/** Every distinct `aws` executable we can find: the one on PATH and Debian's /usr/bin/aws. */
async function findClis(): Promise<string[]> {
  const found = new Map<string, string>();
  const onPath = await run('sh', ['-c', 'command -v aws']).then(
    (r) => r.stdout.trim(),
    () => '',
  );
  for (const candidate of [onPath, '/usr/bin/aws']) {
    if (candidate && existsSync(candidate)) found.set(realpathSync(candidate), candidate);
  }
  return [...found.values()];
}

let served: ServedApp;
const clis = await findClis();

before(async () => {
  served = await serveApp(
    createApiApp({
      lookupSecret: lookupTestKey,
      handlers: {
        GetComponent: async (input) => ({ component: { arn: input.componentBuildVersionArn, name: 'my-comp' } }),
        ListTagsForResource: async (input) => ({ tags: { arn: input.resourceArn } }),
        GetImage: async (input) => {
          throw notFound(`Image ${input.imageBuildVersionArn} not found`);
        },
        CreateComponent: async (input) => ({
          clientToken: input.clientToken,
          componentBuildVersionArn: `${input.name}|${input.semanticVersion}|${input.tags?.team}`,
        }),
      },
    }),
  );
});
after(() => served.close());

async function aws(cli: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/ingot-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/ingot-credentials',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  const argv = ['imagebuilder', ...args, '--endpoint-url', served.endpoint, '--output', 'json'];
  try {
    const { stdout, stderr } = await run(cli, argv, { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

if (clis.length === 0) test('aws CLI', { skip: 'no `aws` executable on PATH or at /usr/bin/aws' }, () => {});

// One call at a time: each is a Python start-up that reads hundreds of files (~1 s alone, but
// 5 at once took 20 s each on a busy 2-core machine).
describe('aws CLIs', () => {
  for (const cli of clis) {
    describe(`aws CLI at ${cli}`, () => {
      test('get-component sends the ARN as a query parameter and prints the typed output', async () => {
        const r = await aws(cli, ['get-component', '--component-build-version-arn', ARN]);
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout) as { component: { arn: string }; requestId: string };
        assert.equal(out.component.arn, ARN);
        assert.match(out.requestId, /^[0-9a-f-]{36}$/);
      });

      test('list-tags-for-resource sends the ARN (with slashes) in the path', async () => {
        const r = await aws(cli, ['list-tags-for-resource', '--resource-arn', ARN]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), { tags: { arn: ARN } });
      });

      test('create-component sends a JSON body (the CLI fills the client token)', async () => {
        const r = await aws(cli, [
          'create-component',
          '--name',
          'web',
          '--semantic-version',
          '1.2.3',
          '--platform',
          'Linux',
          '--data',
          'name: x',
          '--tags',
          'team=blue',
        ]);
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout) as { clientToken: string; componentBuildVersionArn: string };
        assert.equal(out.componentBuildVersionArn, 'web|1.2.3|blue');
        assert.ok(out.clientToken.length > 0);
      });

      test('service errors print as "An error occurred (Type) when calling the Op operation: message"', async () => {
        const r = await aws(cli, ['get-image', '--image-build-version-arn', MISSING]);
        assert.notEqual(r.code, 0);
        assert.match(
          r.stderr,
          new RegExp(
            `An error occurred \\(ResourceNotFoundException\\) when calling the GetImage operation: Image ${MISSING} not found`,
          ),
        );
        const v = await aws(cli, [
          'get-component',
          '--component-build-version-arn',
          'arn:aws:imagebuilder:us-east-1:123456789012:component/x',
        ]);
        assert.match(
          v.stderr,
          /An error occurred \(InvalidParameterValueException\) when calling the GetComponent operation: The value supplied for parameter 'componentBuildVersionArn' is not valid\. 1 validation error detected: Value 'arn:aws:imagebuilder:us-east-1:123456789012:component\/x' at 'componentBuildVersionArn' failed to satisfy constraint: Member must satisfy regular expression pattern/,
        );
      });
    });
  }
});
