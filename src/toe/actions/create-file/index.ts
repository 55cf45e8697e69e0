/** @module CreateFile: writes a file (parents created), with optional encoding, owner, group and permissions. */
import { defineAction } from '../define.ts';
import { asObjects, bool, listValidator, str } from '../schema.ts';
import { checkPath, ENCODE, ENCODING_NAMES, FAIL, iconvName, shOk } from '../shell.ts';

const SCRIPT =
  FAIL +
  ENCODE +
  `p=$1 ENC=$2
[ "$3" = false ] && [ -e "$p" ] && fail "CreateFile: '$p' exists and overwrite is false"
[ -d "$p" ] && fail "CreateFile: '$p' is a folder"
mkdir -p -- "$(dirname -- "$p")" && encode > "$p" || exit 1
if [ -n "$4$5" ]; then chown -- "$4\${5:+:$5}" "$p" || exit 1; fi
if [ -n "$6" ]; then chmod -- "$6" "$p" || exit 1; fi
`;

export const fileProperties = {
  owner: { kind: 'string' },
  group: { kind: 'string' },
  permissions: { kind: 'string' },
  overwrite: { kind: 'boolean' },
} as const;

export const createFile = defineAction({
  name: 'CreateFile',
  platform: 'all',
  outputs: [],
  validateInputs: listValidator({
    path: { kind: 'string', required: true },
    content: { kind: 'string' },
    encoding: { kind: 'string', oneOf: ENCODING_NAMES },
    ...fileProperties,
  }),
  async execute(inputs, ctx) {
    for (const o of asObjects(inputs)) {
      const path = checkPath(str(o, 'path') ?? '', 'CreateFile');
      const args = [
        path,
        iconvName(str(o, 'encoding')),
        String(bool(o, 'overwrite', true)),
        str(o, 'owner') ?? '',
        str(o, 'group') ?? '',
        str(o, 'permissions') ?? '',
      ];
      await shOk(ctx, 'CreateFile', SCRIPT, args, str(o, 'content') ?? '');
      ctx.log(`CreateFile: created ${path}`);
    }
    return { outputs: null };
  },
});
