/**
 * @module The Image Builder documentation's flow and the product brief's pipeline example, run
 * with the real `aws` CLI (Debian's v2 and the v1 on the machine, whichever are installed)
 * against a real server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { awsClis, awsEnv } from '../helpers/aws-cli.ts';
import { startTestServer } from '../helpers/server.ts';

const run = promisify(execFile);

const clis = awsClis();
const ACCOUNT = '123456789012';

if (!clis.length) test('aws CLI flow', (t) => t.skip('no aws CLI installed (apt-get install awscli)'));

for (const cli of clis) {
  describe(`aws CLI v${cli.major} (${cli.path})`, () => {
    test('documentation flow: component, recipe, infrastructure, two-region distribution, the brief pipeline', async () => {
      const t = await startTestServer();
      const dir = mkdtempSync(join(tmpdir(), 'ingot-cli-'));
      const env = awsEnv(dir);
      const aws = async (...args: string[]) => {
        const { stdout } = await run(
          cli.path,
          ['imagebuilder', ...args, '--endpoint-url', t.server.url, '--output', 'json'],
          { env },
        );
        return JSON.parse(stdout || '{}') as Record<string, unknown>;
      };
      try {
        writeFileSync(
          join(dir, 'hello.yml'),
          'name: HelloWorld\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Hello\n        action: ExecuteBash\n        inputs:\n          commands:\n            - echo hello\n',
        );
        const comp = await aws(
          'create-component',
          '--name',
          'hello-world',
          '--semantic-version',
          '1.0.0',
          '--platform',
          'Linux',
          '--data',
          `file://${join(dir, 'hello.yml')}`,
        );
        assert.equal(
          comp['componentBuildVersionArn'],
          `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:component/hello-world/1.0.0/1`,
        );
        const recipe = await aws(
          'create-image-recipe',
          '--name',
          'my-base-image',
          '--semantic-version',
          '1.0.0',
          '--parent-image',
          'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x',
          '--components',
          JSON.stringify([
            { componentArn: comp['componentBuildVersionArn'] },
            { componentArn: 'arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x' },
          ]),
        );
        assert.equal(
          recipe['imageRecipeArn'],
          `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:image-recipe/my-base-image/1.0.0`,
        );
        await aws(
          'create-infrastructure-configuration',
          '--name',
          'my-config',
          '--instance-profile-name',
          'ingot',
          '--instance-types',
          't3.medium',
        );
        await aws(
          'create-distribution-configuration',
          '--name',
          'my-dist-config',
          '--distributions',
          JSON.stringify(
            ['us-east-1', 'us-west-2'].map((region) => ({
              region,
              amiDistributionConfiguration: { name: 'my-base-image {{ imagebuilder:buildDate }}' },
            })),
          ),
        );
        const pipeline = await aws(
          'create-image-pipeline',
          '--name',
          'my-image-pipeline',
          '--image-recipe-arn',
          `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:image-recipe/my-base-image/1.0.0`,
          '--infrastructure-configuration-arn',
          `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:infrastructure-configuration/my-config`,
          '--distribution-configuration-arn',
          `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:distribution-configuration/my-dist-config`,
        );
        assert.equal(
          pipeline['imagePipelineArn'],
          `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:image-pipeline/my-image-pipeline`,
        );
        const got = await aws('get-image-pipeline', '--image-pipeline-arn', String(pipeline['imagePipelineArn']));
        assert.equal((got['imagePipeline'] as { status: string }).status, 'ENABLED');
        const dist = await aws(
          'get-distribution-configuration',
          '--distribution-configuration-arn',
          `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:distribution-configuration/my-dist-config`,
        );
        assert.deepEqual(
          (dist['distributionConfiguration'] as { distributions: { region: string }[] }).distributions.map(
            (d) => d.region,
          ),
          ['us-east-1', 'us-west-2'],
        );
        const managed = await aws('list-images', '--owner', 'Amazon');
        assert.ok((managed['imageVersionList'] as { name: string }[]).some((i) => i.name === 'debian-12-x86'));
        // An error reaches the user in the CLI's own words, with the AWS error type.
        await assert.rejects(
          aws(
            'get-component',
            '--component-build-version-arn',
            `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:component/nope/1.0.0/1`,
          ),
          (err: { stderr: string }) => {
            assert.match(
              err.stderr,
              /An error occurred \(ResourceNotFoundException\) when calling the GetComponent operation/,
            );
            return true;
          },
        );
      } finally {
        await t.stop();
      }
    });
  });
}
