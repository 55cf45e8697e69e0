/**
 * @module The S3 module against s3rver (a stand-in S3 server, see test/helpers/s3-server.ts):
 * small objects, a multipart upload read back by ranged GETs, a failed upload aborted, a broken
 * download range resumed, and the part plan for big disks.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startS3Server, type S3Server } from '../../test/helpers/s3-server.ts';
import { tempDir } from '../../test/helpers/toe.ts';
import { downloadFile, multipartPlan, readObject, S3Bucket, uploadFile } from './index.ts';

const MiB = 1024 * 1024;
let server: S3Server;
before(async () => {
  server = await startS3Server();
  await server.createBucket('unit');
});
after(() => server.stop());

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A loopback proxy in front of s3rver that logs requests and can break some of them. */
async function proxy(
  t: { after(fn: () => void): void },
  tamper: (req: IncomingMessage) => 'fail' | 'answer-204' | 'cut-body' | 'answer-late' | undefined,
) {
  const seen: string[] = [];
  const target = new URL(server.endpoint.endpoint);
  const p = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const action = tamper(req);
    if (action === 'fail' || action === 'answer-204') {
      req.resume();
      req.on('end', () =>
        action === 'fail'
          ? res.writeHead(500).end('<Error><Code>InternalError</Code></Error>')
          : res.writeHead(204).end(),
      );
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        if (action === 'answer-late') {
          // A server that joins the parts and sends nothing meanwhile (as s3rver and others do).
          setTimeout(() => {
            res.writeHead(r.statusCode!, r.headers);
            r.pipe(res);
          }, 2500);
          return;
        }
        res.writeHead(r.statusCode!, r.headers);
        if (action !== 'cut-body') return void r.pipe(res);
        let sent = 0;
        r.on('data', (c: Buffer) => {
          sent += c.length;
          res.write(c);
          if (sent > 1024) res.destroy(); // the connection drops in the middle of the body
        });
      },
    );
    req.pipe(upstream);
    res.on('close', () => upstream.destroy()); // the client went away: so does the request to s3rver
  });
  await new Promise<void>((r) => p.listen(0, '127.0.0.1', r));
  t.after(() => p.close());
  p.unref();
  return { seen, endpoint: { ...server.endpoint, endpoint: `http://127.0.0.1:${(p.address() as AddressInfo).port}` } };
}

test('small objects: put, head, get, list and delete; a missing key is a clear 404', async () => {
  const b = new S3Bucket(server.endpoint, 'unit');
  try {
    await b.putBytes('small/a.json', '{"a":1}');
    await b.putBytes('small/b/c.txt', new Uint8Array([1, 2, 3]));
    assert.deepEqual(await b.head('small/a.json').then((h) => h?.size), 7);
    assert.equal(await b.getText('small/a.json'), '{"a":1}');
    assert.deepEqual((await b.list('small/')).sort(), ['small/a.json', 'small/b/c.txt']);
    assert.deepEqual(await b.list('small/', { limit: 1 }).then((k) => k.length), 1);
    await b.delete('small/a.json');
    assert.equal(await b.exists('small/a.json'), false);
    await assert.rejects(
      b.getBytes('small/a.json'),
      /^S3Failure: GET s3:\/\/unit\/small\/a\.json: HTTP 404 NoSuchKey$/,
    );
    await assert.rejects(new S3Bucket(server.endpoint, 'no-such-bucket').list(''), /HTTP 404 NoSuchBucket/);
  } finally {
    b.close();
  }
});

test('a 20 MiB file goes up as a 3-part multipart upload and comes back by ranged reads', async (t) => {
  const d = tempDir(t);
  const data = randomBytes(20 * MiB);
  writeFileSync(`${d}/big`, data);
  const { seen, endpoint } = await proxy(t, () => undefined);
  const b = new S3Bucket(endpoint, 'unit');
  try {
    const progress: number[] = [];
    await uploadFile(b, 'big/file', `${d}/big`, { onProgress: (done) => progress.push(done) });
    assert.equal(seen.filter((s) => /^PUT .*partNumber=/.test(s)).length, 3, seen.join('\n'));
    assert.ok(seen.some((s) => /^POST .*\?uploads/.test(s)));
    assert.equal(progress.at(-1), 20 * MiB);
    const hash = createHash('sha256');
    for await (const chunk of readObject(b, 'big/file', { rangeSize: 7 * MiB })) hash.update(chunk);
    assert.equal(hash.digest('hex'), sha(data));
    assert.equal(seen.filter((s) => s.startsWith('GET /unit/big/file')).length, 3, 'ceil(20/7) ranged GETs');
    await downloadFile(b, 'big/file', `${d}/back`);
    assert.equal(sha(readFileSync(`${d}/back`)), sha(data));
  } finally {
    b.close();
  }
});

test('CompleteMultipartUpload may stay silent longer than the idle limit of other requests', async (t) => {
  const d = tempDir(t);
  const data = randomBytes(11 * MiB);
  writeFileSync(`${d}/big`, data);
  const isComplete = (req: IncomingMessage) => req.method === 'POST' && /[?&]uploadId=/.test(req.url!);
  const { seen, endpoint } = await proxy(t, (req) => (isComplete(req) ? 'answer-late' : undefined));
  const b = new S3Bucket({ ...endpoint, timeoutMs: 1000 }, 'unit');
  try {
    await uploadFile(b, 'slow-complete/file', `${d}/big`);
    assert.equal(seen.filter((s) => /^POST .*uploadId=/.test(s)).length, 1, 'completed once, no retry');
    await downloadFile(b, 'slow-complete/file', `${d}/back`);
    assert.equal(sha(readFileSync(`${d}/back`)), sha(data));
  } finally {
    b.close();
  }
  // Any other request that goes silent as long still fails at the endpoint's limit.
  const { endpoint: slow } = await proxy(t, (req) => (req.method === 'HEAD' ? 'answer-late' : undefined));
  const c = new S3Bucket({ ...slow, timeoutMs: 1000 }, 'unit');
  try {
    await assert.rejects(c.head('slow-complete/file'), /timed out/);
  } finally {
    c.close();
  }
});

test('a multipart upload that fails is aborted (AbortMultipartUpload sent) and reports the failing part', async (t) => {
  const d = tempDir(t);
  writeFileSync(`${d}/big`, randomBytes(17 * MiB));
  // s3rver has no AbortMultipartUpload, so the proxy answers it (204, as S3 does) and logs it.
  const { seen, endpoint } = await proxy(t, (req) =>
    req.method === 'PUT' && /partNumber=2&/.test(`${req.url}&`)
      ? 'fail'
      : req.method === 'DELETE' && /uploadId=/.test(req.url!)
        ? 'answer-204'
        : undefined,
  );
  const b = new S3Bucket(endpoint, 'unit');
  try {
    await assert.rejects(
      uploadFile(b, 'broken/file', `${d}/big`),
      /^S3Failure: PUT s3:\/\/unit\/broken\/file: HTTP 500/,
    );
    const aborts = seen.filter((s) => s.startsWith('DELETE /unit/broken/file?uploadId='));
    assert.equal(aborts.length, 1, seen.join('\n'));
    assert.equal(await b.exists('broken/file'), false);
  } finally {
    b.close();
  }
});

test('when the abort fails too, the error names the failing part first, then the abort', async (t) => {
  const d = tempDir(t);
  writeFileSync(`${d}/big`, randomBytes(17 * MiB));
  // Here the DELETE reaches s3rver, which has no AbortMultipartUpload and answers 405.
  const { endpoint } = await proxy(t, (req) =>
    req.method === 'PUT' && /partNumber=2&/.test(`${req.url}&`) ? 'fail' : undefined,
  );
  const b = new S3Bucket(endpoint, 'unit');
  try {
    await assert.rejects(
      uploadFile(b, 'broken/again', `${d}/big`),
      /^S3Failure: PUT s3:\/\/unit\/broken\/again: HTTP 500 InternalError \(aborting multipart upload \S+ failed too: HTTP 405 MethodNotAllowed\)$/,
    );
  } finally {
    b.close();
  }
});

test('a cancelled upload stops and is aborted', async (t) => {
  const d = tempDir(t);
  writeFileSync(`${d}/big`, randomBytes(20 * MiB));
  const controller = new AbortController();
  const { seen, endpoint } = await proxy(t, (req) => {
    if (req.method === 'PUT' && /partNumber=/.test(req.url!)) controller.abort(new Error('build cancelled'));
    return req.method === 'DELETE' && /uploadId=/.test(req.url!) ? 'answer-204' : undefined;
  });
  const b = new S3Bucket(endpoint, 'unit');
  try {
    await assert.rejects(uploadFile(b, 'cancelled/file', `${d}/big`, { signal: controller.signal }), /S3Failure: PUT/);
    assert.equal(seen.filter((s) => s.startsWith('DELETE /unit/cancelled/file?uploadId=')).length, 1, seen.join('\n'));
    assert.equal(await b.exists('cancelled/file'), false);
  } finally {
    b.close();
  }
});

test('a download whose connection drops midway resumes the range where it stopped', async (t) => {
  const data = randomBytes(3 * MiB);
  const direct = new S3Bucket(server.endpoint, 'unit');
  await direct.putBytes('resume/file', data);
  direct.close();
  let cuts = 0;
  const { seen, endpoint } = await proxy(t, (req) =>
    req.method === 'GET' && req.headers.range && cuts++ < 2 ? 'cut-body' : undefined,
  );
  const b = new S3Bucket(endpoint, 'unit');
  try {
    const hash = createHash('sha256');
    for await (const chunk of readObject(b, 'resume/file', { rangeSize: 2 * MiB })) hash.update(chunk);
    assert.equal(hash.digest('hex'), sha(data));
    assert.ok(seen.filter((s) => s.startsWith('GET /unit/resume/file')).length >= 4, seen.join('\n'));
  } finally {
    b.close();
  }
});

test('part plan: 8 MiB parts for a 9 GiB disk, at most 9,000 parts and 64 MiB in flight for any size', () => {
  assert.deepEqual(multipartPlan(9 * 1024 * MiB), { partSize: 8 * MiB, queueSize: 4 });
  for (const size of [0, 5 * MiB, 200 * 1024 * MiB, 1024 * 1024 * MiB, 5 * 1024 * 1024 * MiB]) {
    const { partSize, queueSize } = multipartPlan(size);
    assert.ok(Math.ceil(size / partSize) <= 9000, `${size}: ${partSize}`);
    assert.ok((partSize >= 5 * MiB && partSize * queueSize <= 64 * MiB) || queueSize === 1, `${size}: ${queueSize}`);
  }
});

test('an empty object downloads as an empty file', async (t) => {
  const d = tempDir(t);
  const b = new S3Bucket(server.endpoint, 'unit');
  try {
    await b.putBytes('empty/file', new Uint8Array());
    writeFileSync(`${d}/empty`, '');
    await uploadFile(b, 'empty/uploaded', `${d}/empty`);
    for (const key of ['empty/file', 'empty/uploaded']) {
      await downloadFile(b, key, `${d}/back`);
      assert.equal(readFileSync(`${d}/back`).length, 0, key);
    }
    await assert.rejects(
      downloadFile(b, 'empty/none', `${d}/none`),
      /^S3Failure: GET s3:\/\/unit\/empty\/none: HTTP 404 NoSuchKey$/,
    );
  } finally {
    b.close();
  }
});
