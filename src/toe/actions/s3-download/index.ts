/** @module S3Download: fetches an object (or every object under `prefix/*`) from the configured S3 endpoint into the instance. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionFailure, defineAction } from '../define.ts';
import type { ActionContext, S3Options } from '../define.ts';
import { getObject, listKeys, parseS3Url } from '../s3-client.ts';
import { asObjects, bool, listValidator, str } from '../schema.ts';
import { checkPath, FAIL, shOk } from '../shell.ts';

const PREPARE =
  FAIL +
  `[ "$2" = false ] && [ -e "$1" ] && fail "S3Download: '$1' exists and overwrite is false"
mkdir -p -- "$(dirname -- "$1")"`;

async function place(ctx: ActionContext, body: Uint8Array, dest: string, overwrite: boolean): Promise<void> {
  await shOk(ctx, 'S3Download', PREPARE, [dest, String(overwrite)]);
  const dir = await mkdtemp(join(tmpdir(), 'ingot-s3-'));
  try {
    await writeFile(join(dir, 'object'), body);
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
    const s3 = requireS3(ctx, 'S3Download');
    for (const o of asObjects(inputs)) {
      const { bucket, key } = parseS3Url(str(o, 'source') ?? '');
      const dest = checkPath(str(o, 'destination') ?? '', 'S3Download');
      const owner = str(o, 'expectedBucketOwner');
      const overwrite = bool(o, 'overwrite', true);
      if (key.endsWith('*')) {
        const prefix = key.slice(0, -1);
        const keys = (await listKeys(s3, bucket, prefix, owner, ctx.signal)).filter((k) => !k.endsWith('/'));
        for (const k of keys) {
          const target = `${dest.replace(/\/?$/, '/')}${k.slice(prefix.length)}`;
          await place(ctx, await getObject(s3, { bucket, key: k }, owner, ctx.signal), target, overwrite);
        }
        ctx.log(`S3Download: ${keys.length} objects from s3://${bucket}/${prefix} -> ${dest}`);
      } else {
        const target = dest.endsWith('/') ? dest + key.split('/').pop() : dest;
        await place(ctx, await getObject(s3, { bucket, key }, owner, ctx.signal), target, overwrite);
        ctx.log(`S3Download: s3://${bucket}/${key} -> ${target}`);
      }
    }
    return { outputs: null };
  },
});
