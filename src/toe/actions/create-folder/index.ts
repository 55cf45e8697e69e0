/** @module CreateFolder: creates a folder and its parents, with optional owner, group and permissions. */
import { defineAction } from '../define.ts';
import { asObjects, bool, listValidator, str } from '../schema.ts';
import { checkPath, FAIL, shOk } from '../shell.ts';
import { fileProperties } from '../create-file/index.ts';

const SCRIPT =
  FAIL +
  `p=$1
[ "$2" = false ] && [ -e "$p" ] && fail "CreateFolder: '$p' exists and overwrite is false"
[ -e "$p" ] && [ ! -d "$p" ] && fail "CreateFolder: '$p' exists and is not a folder"
mkdir -p -- "$p" || exit 1
if [ -n "$3$4" ]; then chown -- "$3\${4:+:$4}" "$p" || exit 1; fi
if [ -n "$5" ]; then chmod -- "$5" "$p" || exit 1; fi
`;

export const createFolder = defineAction({
  name: 'CreateFolder',
  platform: 'all',
  outputs: [],
  validateInputs: listValidator({ path: { kind: 'string', required: true }, ...fileProperties }),
  async execute(inputs, ctx) {
    for (const o of asObjects(inputs)) {
      const path = checkPath(str(o, 'path') ?? '', 'CreateFolder', { allowRoot: true });
      await shOk(ctx, 'CreateFolder', SCRIPT, [
        path,
        String(bool(o, 'overwrite', true)),
        str(o, 'owner') ?? '',
        str(o, 'group') ?? '',
        str(o, 'permissions') ?? '',
      ]);
    }
    return { outputs: null };
  },
});
