/**
 * @module S3Upload: uploads a file, the files matching `dir/*`, or (recurse) a whole folder from the
 * instance to S3; each file is copied out to the host and streamed up (multipart when big).
 */
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Bucket } from '../../../s3/index.ts';
import { ActionFailure, defineAction } from '../define.ts';
import type { ActionContext } from '../define.ts';
import { openBucket, parseS3Url, s3Module } from '../s3-client.ts';
import { asObjects, bool, listValidator, str } from '../schema.ts';
import { checkPath, FAIL, shOk } from '../shell.ts';
import { requireS3 } from '../s3-download/index.ts';

/** Prints "relative-name<TAB>path" for each file to upload. */
const LIST =
  FAIL +
  `src=$1 recurse=$2
case "$(basename -- "$src")" in
  *'*'*) dir=$(dirname -- "$src")
    if [ "$recurse" = true ]; then find "$dir" -mindepth 1 -type f; else find "$dir" -mindepth 1 -maxdepth 1 -type f -name "$(basename -- "$src")"; fi | while IFS= read -r f; do printf '%s\\t%s\\n' "\${f#"$dir"/}" "$f"; done ;;
  *) if [ -d "$src" ]; then
       [ "$recurse" = true ] || fail "S3Upload: '$src' is a folder; set recurse: true"
       find "$src" -mindepth 1 -type f | while IFS= read -r f; do printf '%s\\t%s\\n' "\${f#"\${src%/}"/}" "$f"; done
     else [ -f "$src" ] || fail "S3Upload: '$src' does not exist"; printf '%s\\t%s\\n' "$(basename -- "$src")" "$(readlink -f -- "$src")"; fi ;;
esac`;

async function uploadFromInstance(ctx: ActionContext, s3: S3Bucket, path: string, key: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-s3up-'));
  try {
    await ctx.instance.copyOut(path, join(dir, 'file'));
    // The copy is the guest's entry as it was: a link would be followed by the host's read, so only a
    // regular file is uploaded (the listing already resolved links inside the instance).
    const st = await lstat(join(dir, 'file'));
    if (!st.isFile()) throw new ActionFailure(`S3Upload: '${path}' is not a regular file in the instance`);
    const { uploadFile } = await s3Module();
    await uploadFile(s3, key, join(dir, 'file'), { signal: ctx.signal });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const s3Upload = defineAction({
  name: 'S3Upload',
  platform: 'all',
  outputs: [],
  validateInputs: listValidator({
    source: { kind: 'string', required: true },
    destination: { kind: 'string', required: true },
    recurse: { kind: 'boolean' },
    expectedBucketOwner: { kind: 'string' },
  }),
  async execute(inputs, ctx) {
    const endpoint = requireS3(ctx, 'S3Upload');
    for (const o of asObjects(inputs)) {
      const source = checkPath(str(o, 'source') ?? '', 'S3Upload');
      const { bucket, key } = parseS3Url(str(o, 'destination') ?? '');
      const { stdout } = await shOk(ctx, 'S3Upload', LIST, [source, String(bool(o, 'recurse', false))]);
      const files = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t') as [string, string]);
      const single = files.length === 1 && !key.endsWith('/') && !source.includes('*');
      const s3 = await openBucket(endpoint, bucket, str(o, 'expectedBucketOwner'));
      try {
        for (const [relative, path] of files)
          await uploadFromInstance(ctx, s3, path, single ? key : `${key.replace(/\/?$/, key ? '/' : '')}${relative}`);
      } finally {
        s3.close();
      }
      ctx.log(`S3Upload: ${files.length} file(s) from ${source} -> s3://${bucket}/${key}`);
    }
    return { outputs: null };
  },
});
