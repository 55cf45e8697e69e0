/**
 * @module WebDownload against a local HTTP server; S3Download/S3Upload against s3rver (a stand-in S3
 * server, test/helpers/s3-server.ts) and against a signature-checking HTTP server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { HostInstance } from '../../instance/host/host-instance.ts';
import type { Instance } from '../../instance/types.ts';
import type { S3Options } from './define.ts';
import { startS3Server } from '../../../test/helpers/s3-server.ts';
import { buildDoc, runYaml, tempDir } from '../../../test/helpers/toe.ts';

const step = (name: string, action: string, inputs: unknown, extra = '') =>
  `      - name: ${name}\n        action: ${action}\n${extra}        inputs: ${JSON.stringify(inputs)}\n`;

async function serve(
  t: { after(fn: () => void): void },
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('WebDownload: folder destinations, checksums, retries on flaky servers, mismatch fails', async (t) => {
  const d = tempDir(t);
  let hits = 0;
  const base = await serve(t, (req, res) => {
    hits++;
    if (req.url === '/flaky.txt' && hits < 3) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200).end(`content of ${req.url}`);
  });
  const sha = createHash('sha256').update('content of /pkg.tar').digest('hex');
  const run = await runYaml(
    buildDoc(
      step('Get', 'WebDownload', [
        { source: `${base}/pkg.tar`, destination: `${d}/dl/`, checksum: sha, algorithm: 'SHA256' },
        { source: `${base}/flaky.txt`, destination: `${d}/flaky` },
      ]) +
        step(
          'Bad',
          'WebDownload',
          [{ source: `${base}/x`, destination: `${d}/x`, checksum: '00', algorithm: 'MD5' }],
          '        onFailure: Continue\n',
        ),
    ),
  );
  assert.equal(run.step('Get').status, 'success', run.step('Get').failureMessage);
  assert.equal(readFileSync(`${d}/dl/pkg.tar`, 'utf8'), 'content of /pkg.tar');
  assert.equal(readFileSync(`${d}/flaky`, 'utf8'), 'content of /flaky.txt');
  assert.equal(run.step('Get').outputs, JSON.stringify([{ destination: `${d}/dl/pkg.tar\n${d}/flaky` }]));
  assert.match(run.step('Bad').failureMessage, /MD5 checksum .* does not match/);
});

test('WebDownload falls back to downloading on the host and copyIn when the instance has no curl or wget', async (t) => {
  const d = tempDir(t);
  const bin = tempDir(t);
  for (const tool of ['mkdir', 'dirname', 'rm', 'sha256sum', 'cat'])
    symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), `${bin}/${tool}`);
  const host = new HostInstance();
  const instance: Instance = {
    kind: 'host',
    id: 'no-curl',
    exec: (p) => host.exec({ ...p, env: { ...(p.env ?? {}), PATH: bin } }),
    copyIn: (a, b) => host.copyIn(a, b),
    copyOut: (a, b) => host.copyOut(a, b),
    reboot: () => host.reboot(),
    close: () => host.close(),
  };
  const base = await serve(t, (_req, res) => res.writeHead(200).end('from the host'));
  const run = await runYaml(
    buildDoc(step('Get', 'WebDownload', [{ source: `${base}/f.txt`, destination: `${d}/sub/` }])),
    { instance },
  );
  assert.equal(run.output.status, 'success', run.output.failureMessage);
  assert.equal(readFileSync(`${d}/sub/f.txt`, 'utf8'), 'from the host');
});

test('S3Download/S3Upload sign their requests (stand-in HTTP server, not a real S3 implementation)', async (t) => {
  const d = tempDir(t);
  const objects = new Map<string, Buffer>([
    ['/bucket/dir/one.txt', Buffer.from('one')],
    ['/bucket/dir/sub/two.txt', Buffer.from('two')],
  ]);
  const base = await serve(t, (req, res, body) => {
    const auth = req.headers.authorization ?? '';
    if (
      !/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/.test(
        auth,
      ) ||
      !req.headers['x-amz-date'] ||
      !/^[0-9a-f]{64}$/.test(String(req.headers['x-amz-content-sha256']))
    ) {
      res.writeHead(403).end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
      return;
    }
    const url = new URL(req.url!, 'http://x');
    if (req.method === 'PUT') {
      objects.set(url.pathname, body);
      res.writeHead(200).end();
      return;
    }
    if (url.searchParams.get('list-type') === '2') {
      const bucket = url.pathname.replace(/\/$/, ''); // `/bucket` or `/bucket/`: both mean the bucket
      const prefix = `${bucket}/${url.searchParams.get('prefix')}`;
      const keys = [...objects.keys()]
        .filter((k) => k.startsWith(prefix))
        .map((k) => `<Contents><Key>${k.slice(bucket.length + 1)}</Key></Contents>`);
      res.writeHead(200).end(`<ListBucketResult>${keys.join('')}</ListBucketResult>`);
      return;
    }
    const found = objects.get(decodeURIComponent(url.pathname));
    if (found) res.writeHead(200).end(found);
    else res.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>');
  });
  writeFileSync(`${d}/up.txt`, 'uploaded');
  const s3: S3Options = { endpoint: base, accessKeyId: 'AKIDTEST', secretAccessKey: 'secret', region: 'us-east-1' };
  const run = await runYaml(
    buildDoc(
      step('Down', 'S3Download', [
        { source: 's3://bucket/dir/one.txt', destination: `${d}/one.txt` },
        { source: 's3://bucket/dir/*', destination: `${d}/all/` },
      ]) + step('Up', 'S3Upload', [{ source: `${d}/up.txt`, destination: 's3://bucket/out/up.txt' }]),
    ),
    { s3 },
  );
  assert.equal(run.output.status, 'success', run.output.failureMessage);
  assert.equal(readFileSync(`${d}/one.txt`, 'utf8'), 'one');
  assert.equal(readFileSync(`${d}/all/sub/two.txt`, 'utf8'), 'two');
  assert.equal(objects.get('/bucket/out/up.txt')?.toString(), 'uploaded');
  const unsigned = await runYaml(
    buildDoc(step('Down', 'S3Download', [{ source: 's3://bucket/dir/one.txt', destination: `${d}/z` }])),
    { s3: { ...s3, accessKeyId: 'WRONG' } },
  );
  assert.match(unsigned.output.failureMessage, /HTTP 403 SignatureDoesNotMatch/);
});

test('S3Upload then S3Download round trip against s3rver (a stand-in S3 server)', async (t) => {
  const server = await startS3Server();
  t.after(() => server.stop());
  const s3: S3Options = server.endpoint;
  await server.createBucket('ingot');
  const d = tempDir(t);
  writeFileSync(`${d}/a.txt`, 'alpha');
  const run = await runYaml(
    buildDoc(
      step('Up', 'S3Upload', [{ source: `${d}/*`, destination: 's3://ingot/files/' }]) +
        step('Down', 'S3Download', [{ source: 's3://ingot/files/a.txt', destination: `${d}/back/a.txt` }]),
    ),
    { s3 },
  );
  assert.equal(run.output.status, 'success', run.output.failureMessage);
  assert.equal(readFileSync(`${d}/back/a.txt`, 'utf8'), 'alpha');
});

test('S3Upload never uploads a host file through a link the instance sent back', async (t) => {
  const d = tempDir(t);
  writeFileSync(`${d}/host-secret`, 'a file of the host');
  writeFileSync(`${d}/report.txt`, 'the report');
  const puts: string[] = [];
  const base = await serve(t, (req, res) => {
    if (req.method === 'PUT') puts.push(req.url ?? '');
    res.writeHead(200).end();
  });
  const host = new HostInstance();
  // A guest's copy-out keeps links as links: this one points at a path that, on the host, is a host file.
  const instance: Instance = {
    kind: 'host',
    id: 'linking-guest',
    exec: (p) => host.exec(p),
    copyIn: (a, b) => host.copyIn(a, b),
    copyOut: async (_a, b) => symlinkSync(`${d}/host-secret`, b),
    reboot: () => host.reboot(),
    close: () => host.close(),
  };
  const s3: S3Options = { endpoint: base, accessKeyId: 'AKIDTEST', secretAccessKey: 'secret', region: 'us-east-1' };
  const run = await runYaml(
    buildDoc(step('Up', 'S3Upload', [{ source: `${d}/report.txt`, destination: 's3://bucket/out/report.txt' }])),
    { instance, s3 },
  );
  assert.equal(run.output.status, 'failed');
  assert.match(run.step('Up').failureMessage, /is not a regular file in the instance/);
  assert.deepEqual(puts, [], 'nothing was uploaded');
});
