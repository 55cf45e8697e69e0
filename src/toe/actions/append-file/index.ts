/** @module AppendFile: appends content to an existing file, in the file's encoding. */
import { defineAction } from '../define.ts';
import { asObjects, listValidator, str } from '../schema.ts';
import { checkPath, ENCODE, ENCODING_NAMES, FAIL, iconvName, shOk } from '../shell.ts';

const SCRIPT =
  FAIL +
  ENCODE +
  `p=$1 ENC=$2
[ -f "$p" ] || fail "AppendFile: file '$p' does not exist"
encode >> "$p"
`;

export const appendFile = defineAction({
  name: 'AppendFile',
  platform: 'all',
  outputs: [],
  validateInputs: listValidator({
    path: { kind: 'string', required: true },
    content: { kind: 'string' },
    encoding: { kind: 'string', oneOf: ENCODING_NAMES },
  }),
  async execute(inputs, ctx) {
    for (const o of asObjects(inputs)) {
      const path = checkPath(str(o, 'path') ?? '', 'AppendFile');
      await shOk(ctx, 'AppendFile', SCRIPT, [path, iconvName(str(o, 'encoding'))], str(o, 'content') ?? '');
    }
    return { outputs: null };
  },
});
