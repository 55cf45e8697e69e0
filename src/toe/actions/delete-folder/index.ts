/** @module DeleteFolder: removes a folder; a non-empty one only with `force: true`. Never `/`. */
import { defineAction } from '../define.ts';
import { asObjects, bool, listValidator, str } from '../schema.ts';
import { checkPath, FAIL, shOk } from '../shell.ts';

const SCRIPT =
  FAIL +
  `p=$1
[ -e "$p" ] || [ -L "$p" ] || exit 0
[ -d "$p" ] || fail "DeleteFolder: '$p' is not a folder"
if [ "$2" = true ]; then rm -rf -- "$p"; else rmdir -- "$p" 2>/dev/null || fail "DeleteFolder: '$p' is not empty; set force: true to delete its contents"; fi
`;

export const deleteFolder = defineAction({
  name: 'DeleteFolder',
  platform: 'all',
  outputs: [],
  validateInputs: listValidator({ path: { kind: 'string', required: true }, force: { kind: 'boolean' } }),
  async execute(inputs, ctx) {
    for (const o of asObjects(inputs)) {
      const path = checkPath(str(o, 'path') ?? '', 'DeleteFolder');
      await shOk(ctx, 'DeleteFolder', SCRIPT, [path, String(bool(o, 'force', false))]);
    }
    return { outputs: null };
  },
});
