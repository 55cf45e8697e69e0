/** @module S3Upload: uploads a file, the files matching `dir/*`, or (recurse) a whole folder from the instance to S3. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAction } from '../define.ts';
import type { ActionContext } from '../define.ts';
import { parseS3Url, putObject } from '../s3-client.ts';
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
     else [ -f "$src" ] || fail "S3Upload: '$src' does not exist"; printf '%s\\t%s\\n' "$(basename -- "$src")" "$src"; fi ;;
esac`;

async function readFromInstance(ctx: ActionContext, path: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-s3up-'));
  try {
    await ctx.instance.copyOut(path, join(dir, 'file'));
    return new Uint8Array(await readFile(join(dir, 'file')));
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
    const s3 = requireS3(ctx, 'S3Upload');
    for (const o of asObjects(inputs)) {
      const source = checkPath(str(o, 'source') ?? '', 'S3Upload');
      const { bucket, key } = parseS3Url(str(o, 'destination') ?? '');
      const { stdout } = await shOk(ctx, 'S3Upload', LIST, [source, String(bool(o, 'recurse', false))]);
      const files = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t') as [string, string]);
      const single = files.length === 1 && !key.endsWith('/') && !source.includes('*');
      for (const [relative, path] of files) {
        const target = single ? key : `${key.replace(/\/?$/, key ? '/' : '')}${relative}`;
        await putObject(
          s3,
          { bucket, key: target },
          await readFromInstance(ctx, path),
          str(o, 'expectedBucketOwner'),
          ctx.signal,
        );
      }
      ctx.log(`S3Upload: ${files.length} file(s) from ${source} -> s3://${bucket}/${key}`);
    }
    return { outputs: null };
  },
});
