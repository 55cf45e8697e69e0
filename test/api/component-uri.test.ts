/**
 * @module Component documents named by `uri` (CreateComponent, ImportComponent), read once at
 * creation: from `s3://` (the s3rver stand-in as the server's INGOT_S3_ENDPOINT) and from an
 * `https://` server (and CreateWorkflow's `uri` alike) with a self-signed certificate trusted through INGOT_INSTANCE_CA_BUNDLE; plain
 * http://, unreachable documents and an untrusted certificate are refused with the reason.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { S3Bucket, uploadFile } from '../../src/s3/index.ts';
import { rejects } from '../helpers/rejects.ts';
import { startS3Server, type S3Server } from '../helpers/s3-server.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const DOC = (name: string) =>
  `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: s\n        action: ExecuteBash\n        inputs:\n          commands: ["echo ${name}"]\n`;
const WORKFLOW =
  'name: t\nschemaVersion: 1.0\nsteps:\n  - name: Launch\n    action: LaunchInstance\n    inputs:\n      waitFor: ssmAgent\n  - name: Stop\n    action: TerminateInstance\n    inputs:\n      instanceId.$: $.stepOutputs.Launch.instanceId\n';
let dir: string;
let s3: S3Server;
let https: Server;
let httpsUrl: string;
let t: TestServer;
let bare: TestServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-component-uri-'));
  // A self-signed certificate for 127.0.0.1, the CA bundle the server is told to trust.
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'],
      ...['-subj', '/CN=ingot-test', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    ],
    { stdio: 'ignore' },
  );
  https = createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    (req, res) => {
      if (req.url === '/docs/web.yml') res.end(DOC('from-https'));
      else if (req.url === '/docs/test-workflow.yml') res.end(WORKFLOW);
      else if (req.url === '/docs/install.sh') res.end('apt-get install -y nginx\n');
      else res.writeHead(404).end('not here');
    },
  );
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  httpsUrl = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  s3 = await startS3Server();
  await s3.createBucket('components');
  writeFileSync(join(dir, 'doc.yml'), DOC('from-s3'));
  const bucket = new S3Bucket(s3.endpoint, 'components');
  await uploadFile(bucket, 'team/doc.yml', join(dir, 'doc.yml'));
  bucket.close();
  t = await startTestServer({
    env: {
      INGOT_S3_ENDPOINT: s3.endpoint.endpoint,
      AWS_ACCESS_KEY_ID: s3.endpoint.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.endpoint.secretAccessKey,
      INGOT_INSTANCE_CA_BUNDLE: join(dir, 'cert.pem'),
    },
  });
  bare = await startTestServer();
});
after(async () => {
  await t?.stop();
  await bare?.stop();
  await s3?.stop();
  https?.close();
  rmSync(dir, { recursive: true, force: true });
});

const create = (server: TestServer, name: string, uri: string) =>
  server.client().send(new ib.CreateComponentCommand({ name, semanticVersion: '1.0.0', platform: 'Linux', uri }));

test('CreateComponent reads its document from s3:// and keeps it', async () => {
  const c = t.client();
  const arn = (await create(t, 'from-s3', 's3://components/team/doc.yml')).componentBuildVersionArn!;
  const got = await c.send(new ib.GetComponentCommand({ componentBuildVersionArn: arn }));
  assert.equal(got.component?.data, DOC('from-s3'));
  await rejects(
    create(t, 'missing', 's3://components/team/nope.yml'),
    'InvalidParameterValueException',
    /uri.*could not be read.*404|NoSuchKey/,
  );
  await rejects(
    create(bare, 'no-s3', 's3://components/team/doc.yml'),
    'InvalidParameterValueException',
    /no S3 endpoint/,
  );
});

test('CreateComponent and ImportComponent read https:// documents, trusting the CA bundle setting', async () => {
  const c = t.client();
  const arn = (await create(t, 'from-https', `${httpsUrl}/docs/web.yml`)).componentBuildVersionArn!;
  assert.equal(
    (await c.send(new ib.GetComponentCommand({ componentBuildVersionArn: arn }))).component?.data,
    DOC('from-https'),
  );
  const imported = await c.send(
    new ib.ImportComponentCommand({
      name: 'imported-script',
      semanticVersion: '1.0.0',
      type: 'BUILD',
      format: 'SHELL',
      platform: 'Linux',
      uri: `${httpsUrl}/docs/install.sh`,
    }),
  );
  const doc = (
    await c.send(new ib.GetComponentCommand({ componentBuildVersionArn: imported.componentBuildVersionArn! }))
  ).component?.data;
  assert.match(doc ?? '', /apt-get install -y nginx/);
  await rejects(create(t, 'not-found', `${httpsUrl}/docs/none.yml`), 'InvalidParameterValueException', /HTTP 404/);
  // A server without the CA bundle does not trust the certificate.
  await rejects(
    create(bare, 'untrusted', `${httpsUrl}/docs/web.yml`),
    'InvalidParameterValueException',
    /could not be read: .*self[- ]signed/i,
  );
});

test('plain http://, other schemes, and data with uri are refused', async () => {
  await rejects(
    create(t, 'plain', `${httpsUrl.replace('https', 'http')}/docs/web.yml`),
    'InvalidParameterValueException',
    /plain http/,
  );
  await rejects(create(t, 'ftp', 'ftp://example.com/doc.yml'), 'InvalidParameterValueException', /not an S3 URI/);
  await rejects(
    t.client().send(
      new ib.CreateComponentCommand({
        name: 'both',
        semanticVersion: '1.0.0',
        platform: 'Linux',
        uri: 's3://components/team/doc.yml',
        data: DOC('x'),
      }),
    ),
    'InvalidParameterCombinationException',
  );
});

test('CreateWorkflow reads its document from a uri too', async () => {
  const c = t.client();
  const r = await c.send(
    new ib.CreateWorkflowCommand({
      name: 'from-https',
      semanticVersion: '1.0.0',
      type: 'TEST',
      uri: `${httpsUrl}/docs/test-workflow.yml`,
    }),
  );
  const got = await c.send(new ib.GetWorkflowCommand({ workflowBuildVersionArn: r.workflowBuildVersionArn! }));
  assert.equal(got.workflow?.data, WORKFLOW);
});
