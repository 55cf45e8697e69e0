/** @module CreateSymlink: creates a symbolic link (parents created); replaces an existing link only with `force`. */
import { defineAction } from '../define.ts';
import { asObjects, bool, listValidator, str } from '../schema.ts';
import { checkPath, FAIL, shOk } from '../shell.ts';

const SCRIPT =
  FAIL +
  `p=$1 t=$2
[ -e "$t" ] || fail "CreateSymlink: target '$t' does not exist"
if [ -L "$p" ]; then [ "$3" = true ] || fail "CreateSymlink: link '$p' exists; set force: true to replace it"; rm -f -- "$p"
elif [ -e "$p" ]; then fail "CreateSymlink: '$p' exists and is not a link"; fi
mkdir -p -- "$(dirname -- "$p")" && ln -s -- "$t" "$p"
`;

export const createSymlink = defineAction({
  name: 'CreateSymlink',
  platform: 'linux',
  outputs: [],
  validateInputs: listValidator({
    path: { kind: 'string', required: true },
    target: { kind: 'string', required: true },
    force: { kind: 'boolean' },
  }),
  async execute(inputs, ctx) {
    for (const o of asObjects(inputs)) {
      const path = checkPath(str(o, 'path') ?? '', 'CreateSymlink');
      await shOk(ctx, 'CreateSymlink', SCRIPT, [path, str(o, 'target') ?? '', String(bool(o, 'force', false))]);
    }
    return { outputs: null };
  },
});
