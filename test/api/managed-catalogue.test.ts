/**
 * @module Recipes as real ones pin the managed catalogue, through the SDK: published AWS version
 * numbers of managed components resolve; components Ingot lacks and parent images it cannot read
 * (SSM parameters, registry references, AMI ids) fail with a message saying what to do instead.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const AWS = 'arn:aws:imagebuilder:us-east-1:aws';
let t: TestServer;
let c: ib.ImagebuilderClient;
before(async () => {
  t = await startTestServer();
  c = t.client();
});
after(() => t.stop());

let n = 0;
const recipe = (parentImage: string, components: string[] = [`${AWS}:component/hello-world-linux/x.x.x`]) =>
  c.send(
    new ib.CreateImageRecipeCommand({
      name: `pinned-${++n}`,
      semanticVersion: '1.0.0',
      parentImage,
      components: components.map((componentArn) => ({ componentArn })),
      clientToken: `t-${n}`,
    }),
  );

async function rejects(p: Promise<unknown>, name: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, err.message);
    assert.match(err.message, message);
    return true;
  });
}

test('published AWS versions of the managed components Ingot has resolve, pinned or by wildcard', async () => {
  const r = await recipe(`${AWS}:image/debian-12-x86/x.x.x`, [
    `${AWS}:component/update-linux/1.0.2/1`,
    `${AWS}:component/reboot-linux/1.0.1/1`,
    `${AWS}:component/aws-cli-version-2-linux/1.0.4/1`,
    `${AWS}:component/python-3-linux/1.0.2`,
    `${AWS}:component/hello-world-linux/x.x.x`,
  ]);
  assert.ok(r.imageRecipeArn);
  const got = await c.send(
    new ib.GetComponentCommand({ componentBuildVersionArn: `${AWS}:component/update-linux/1.0.2/1` }),
  );
  assert.equal(got.component?.version, '1.0.2');
  assert.match(got.component?.data ?? '', /apt/);
  for (const v of ['1.0.0', '1.0.1']) {
    const older = await c.send(
      new ib.ListComponentBuildVersionsCommand({ componentVersionArn: `${AWS}:component/update-linux/${v}` }),
    );
    assert.equal(older.componentSummaryList?.[0]?.version, v);
  }
  await rejects(
    recipe('debian-12', [`${AWS}:component/update-linux/7.0.0/1`]),
    'ResourceNotFoundException',
    /'update-linux' has no version matching '7\.0\.0'.*published versions are 1\.0\.0, 1\.0\.1, 1\.0\.2/,
  );
});

test('AWS managed components Ingot lacks fail naming the component and what to use instead', async () => {
  await rejects(
    recipe('debian-12', [`${AWS}:component/amazon-cloudwatch-agent-linux/1.0.1/1`]),
    'ResourceNotFoundException',
    /does not have the AWS managed component 'amazon-cloudwatch-agent-linux': Ingot has no CloudWatch.*Ingot's managed components are: .*update-linux/,
  );
  await rejects(
    recipe('debian-12', [`${AWS}:component/stig-build-linux-high/x.x.x`]),
    'ResourceNotFoundException',
    /'stig-build-linux-high': for hardening use cis-debian-level1-server/,
  );
});

test('parent images: Debian SSM parameters resolve; other SSM parameters, registry references and AMIs say how to import', async () => {
  assert.ok((await recipe('ssm:/aws/service/debian/release/12/latest/amd64')).imageRecipeArn);
  assert.ok((await recipe('ssm:/aws/service/debian/release/trixie/latest/amd64')).imageRecipeArn);
  await rejects(
    recipe('ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'),
    'InvalidParameterValueException',
    /no SSM Parameter Store.*import the image/,
  );
  await rejects(
    recipe('docker.io/library/debian:12'),
    'InvalidParameterValueException',
    /registry reference.*skopeo copy docker:\/\/docker\.io\/library\/debian:12 oci-archive:/,
  );
  await rejects(
    recipe('amazonlinux:2023'),
    'InvalidParameterValueException',
    /docker:\/\/docker\.io\/library\/amazonlinux:2023/,
  );
  await rejects(recipe('ami-0123456789abcdef0'), 'InvalidParameterValueException', /cannot read EC2 AMIs/);
});
