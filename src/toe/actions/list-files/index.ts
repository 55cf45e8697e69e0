/** @module ListFiles: lists the files in a folder (optionally recursive, optionally matching a name pattern). */
import { defineAction } from '../define.ts';
import { asObjects, bool, listValidator, str } from '../schema.ts';
import { checkPath, FAIL, shOk } from '../shell.ts';

const SCRIPT =
  FAIL +
  `p=$1
[ -d "$p" ] || fail "ListFiles: folder '$p' does not exist"
if [ "$2" = true ]; then depth=; else depth="-maxdepth 1"; fi
find "$p" -mindepth 1 $depth -type f -name "\${3:-*}" | LC_ALL=C sort
`;

export const listFiles = defineAction({
  name: 'ListFiles',
  platform: 'all',
  outputs: ['files'],
  validateInputs: listValidator({
    path: { kind: 'string', required: true },
    fileNamePattern: { kind: 'string' },
    recursive: { kind: 'boolean' },
  }),
  async execute(inputs, ctx) {
    const files: string[] = [];
    for (const o of asObjects(inputs)) {
      const path = checkPath(str(o, 'path') ?? '', 'ListFiles', { allowRoot: true });
      const { stdout } = await shOk(ctx, 'ListFiles', SCRIPT, [
        path,
        String(bool(o, 'recursive', false)),
        str(o, 'fileNamePattern') ?? '',
      ]);
      files.push(...stdout.split('\n').filter(Boolean));
    }
    return { outputs: { files: files.join(',') } };
  },
});
