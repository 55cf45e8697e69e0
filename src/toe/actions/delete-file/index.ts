/** @module DeleteFile: deletes a file, or every file matching a `*` pattern in the last path segment. */
import { ActionFailure, defineAction } from '../define.ts';
import { asObjects, listValidator, str } from '../schema.ts';
import { checkPath, FAIL, shOk } from '../shell.ts';

const SCRIPT =
  FAIL +
  `p=$1
case "$(basename -- "$p")" in
  *'*'*) find "$(dirname -- "$p")" -mindepth 1 -maxdepth 1 ! -type d -name "$(basename -- "$p")" -exec rm -f -- {} + ;;
  *) [ -d "$p" ] && [ ! -L "$p" ] && fail "DeleteFile: '$p' is a folder; use DeleteFolder"; rm -f -- "$p" ;;
esac
`;

export const deleteFile = defineAction({
  name: 'DeleteFile',
  platform: 'all',
  outputs: [],
  validateInputs: listValidator({ path: { kind: 'string', required: true } }),
  async execute(inputs, ctx) {
    for (const o of asObjects(inputs)) {
      const path = checkPath(str(o, 'path') ?? '', 'DeleteFile');
      if (path.slice(0, -1).includes('*') && path.lastIndexOf('*') < path.lastIndexOf('/')) {
        throw new ActionFailure(`DeleteFile: wildcards are allowed only after the last '/': ${path}`);
      }
      await shOk(ctx, 'DeleteFile', SCRIPT, [path]);
    }
    return { outputs: null };
  },
});
