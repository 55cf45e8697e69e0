/** @module ReadFile: reads a text file (decoded to UTF-8) so later steps can chain to `outputs.content`. */
import { defineAction } from '../define.ts';
import { asObjects, bool, listValidator, str } from '../schema.ts';
import { checkPath, ENCODING_NAMES, FAIL, iconvName, shOk } from '../shell.ts';

const SCRIPT =
  FAIL +
  `p=$1
[ -f "$p" ] || fail "ReadFile: file '$p' does not exist"
if [ "$2" = UTF-8 ]; then cat -- "$p"; else iconv -f "$2" -t UTF-8 -- "$p"; fi
`;

export const readFile = defineAction({
  name: 'ReadFile',
  platform: 'all',
  outputs: ['content'],
  validateInputs: listValidator({
    path: { kind: 'string', required: true },
    encoding: { kind: 'string', oneOf: ENCODING_NAMES },
    printFileContent: { kind: 'boolean' },
  }),
  async execute(inputs, ctx) {
    const contents: string[] = [];
    for (const o of asObjects(inputs)) {
      const path = checkPath(str(o, 'path') ?? '', 'ReadFile');
      const { stdout } = await shOk(ctx, 'ReadFile', SCRIPT, [path, iconvName(str(o, 'encoding'))]);
      if (bool(o, 'printFileContent', false)) stdout.split('\n').forEach((l) => ctx.log(`ReadFile: ${l}`));
      contents.push(stdout);
    }
    return { outputs: { content: contents.join('\n') } };
  },
});
