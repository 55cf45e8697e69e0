/** @module SetFileEncoding: re-encodes an existing UTF-8 file to another encoding, in place. */
import { defineAction } from '../define.ts';
import { asObjects, listValidator, str } from '../schema.ts';
import { checkPath, ENCODING_NAMES, FAIL, iconvName, shOk } from '../shell.ts';

const SCRIPT =
  FAIL +
  `p=$1
[ -f "$p" ] || fail "SetFileEncoding: file '$p' does not exist"
[ "$2" = UTF-8 ] && exit 0
t=$(mktemp "$p.XXXXXX") || exit 1
iconv -f UTF-8 -t "$2" -- "$p" > "$t" && cat -- "$t" > "$p"; rc=$?; rm -f -- "$t"; exit $rc
`;

export const setFileEncoding = defineAction({
  name: 'SetFileEncoding',
  platform: 'all',
  outputs: [],
  validateInputs: listValidator({
    path: { kind: 'string', required: true },
    encoding: { kind: 'string', oneOf: ENCODING_NAMES },
  }),
  async execute(inputs, ctx) {
    for (const o of asObjects(inputs)) {
      const path = checkPath(str(o, 'path') ?? '', 'SetFileEncoding');
      await shOk(ctx, 'SetFileEncoding', SCRIPT, [path, iconvName(str(o, 'encoding'))]);
    }
    return { outputs: null };
  },
});
