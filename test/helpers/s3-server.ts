/**
 * @module A stand-in S3 server for the tests: the npm package `s3rver` (a devDependency) run as a
 * child process on a free loopback port, storing objects in a temp directory. moto_server, the
 * usual stand-in, cannot be installed here (not in Debian, PyPI unreachable). s3rver speaks the S3
 * REST API (multipart uploads, ranged GETs, ListObjectsV2) and checks the access key, not the SigV4
 * signature itself (the signature-checking server in src/toe/actions/network.test.ts covers that).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { S3Bucket, type S3Endpoint } from '../../src/s3/index.ts';

export interface S3Server {
  /** Endpoint and the one key pair s3rver knows (S3RVER / S3RVER). */
  endpoint: S3Endpoint;
  /** Where s3rver keeps the objects. */
  dir: string;
  /** Process id of the server (to read its memory use). */
  pid: number;
  /** Creates a bucket (retrying while the server starts). */
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');

export async function startS3Server(): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-s3rver-'));
  const proc = spawn(
    process.execPath,
    [bin, '-d', dir, '-a', '127.0.0.1', '-p', '0', '--silent', '--no-vhost-buckets'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /S3rver listening on [^:]+:(\d+)/.exec(output);
      if (m) resolve(Number(m[1]));
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    proc.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening: ${output}`)));
    proc.once('error', reject);
  });
  const endpoint: S3Endpoint = {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
  };
  return {
    endpoint,
    dir,
    pid: proc.pid!,
    async createBucket(name) {
      const bucket = new S3Bucket(endpoint, name);
      try {
        await bucket.create();
      } finally {
        bucket.close();
      }
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
