/**
 * @module S3Download: fetches an object (or every object under `prefix/*`) from the configured S3
 * endpoint into the instance, streamed to a host file with ranged reads, then copied in.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Bucket } from '../../../s3/index.ts';
import { ActionFailure, defineAction } from '../define.ts';
import type { ActionContext, S3Options } from '../define.ts';
import { openBucket, parseS3Url, s3Module } from '../s3-client.ts';
import { asObjects, bool, listValidator, str } from '../schema.ts';
import { checkPath, FAIL, shOk } from '../shell.ts';

const PREPARE =
  FAIL +
  `[ "$2" = false ] && [ -e "$1" ] && fail "S3Download: '$1' exists and overwrite is false"
mkdir -p -- "$(dirname -- "$1")"`;

async function place(ctx: ActionContext, s3: S3Bucket, key: string, dest: string, overwrite: boolean): Promise<void> {
  await shOk(ctx, 'S3Download', PREPARE, [dest, String(overwrite)]);
  const dir = await mkdtemp(join(tmpdir(), 'ingot-s3-'));
  try {
    const { downloadFile } = await s3Module();
    await downloadFile(s3, key, join(dir, 'object'), { signal: ctx.signal });
    await ctx.instance.copyIn(join(dir, 'object'), dest);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function requireS3(ctx: ActionContext, name: string): S3Options {
  if (!ctx.s3) throw new ActionFailure(`${name}: no S3 endpoint configured (executor option 's3')`);
  return ctx.s3;
}

export const s3Download = defineAction({
  name: 'S3Download',
  platform: 'all',
  outputs: [],
  validateInputs: listValidator({
    source: { kind: 'string', required: true },
    destination: { kind: 'string', required: true },
    expectedBucketOwner: { kind: 'string' },
    overwrite: { kind: 'boolean' },
  }),
  async execute(inputs, ctx) {
    const endpoint = requireS3(ctx, 'S3Download');
    for (const o of asObjects(inputs)) {
      const { bucket, key } = parseS3Url(str(o, 'source') ?? '');
      const dest = checkPath(str(o, 'destination') ?? '', 'S3Download');
      const overwrite = bool(o, 'overwrite', true);
      const s3 = await openBucket(endpoint, bucket, str(o, 'expectedBucketOwner'));
      try {
        if (key.endsWith('*')) {
          const prefix = key.slice(0, -1);
          // At most 1000 keys, like AWSTOE (one ListObjectsV2 page).
          const keys = (await s3.list(prefix, { signal: ctx.signal, limit: 1000 })).filter((k) => !k.endsWith('/'));
          for (const k of keys)
            await place(ctx, s3, k, `${dest.replace(/\/?$/, '/')}${k.slice(prefix.length)}`, overwrite);
          ctx.log(`S3Download: ${keys.length} objects from s3://${bucket}/${prefix} -> ${dest}`);
        } else {
          const target = dest.endsWith('/') ? dest + key.split('/').pop() : dest;
          await place(ctx, s3, key, target, overwrite);
          ctx.log(`S3Download: s3://${bucket}/${key} -> ${target}`);
        }
      } finally {
        s3.close();
      }
    }
    return { outputs: null };
  },
});
