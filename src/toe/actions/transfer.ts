/** @module Shared by CopyFile, MoveFile, CopyFolder and MoveFolder: wildcards, `dest/` naming, overwrite rules. */
import { defineAction } from './define.ts';
import type { ActionDefinition } from './define.ts';
import { asObjects, bool, listValidator, str } from './schema.ts';
import { checkPath, FAIL, shOk } from './shell.ts';

/** Args: source, destination, overwrite, kind (file|folder), op (copy|move). */
const SCRIPT =
  FAIL +
  `src=$1 dest=$2 ow=$3 kind=$4 op=$5
base=$(basename -- "$src"); dir=$(dirname -- "$src")
one() {
  s=$1 t=$2
  if [ "$kind" = file ]; then [ -f "$s" ] || [ -L "$s" ] || fail "source file '$s' does not exist"
  else [ -d "$s" ] || fail "source folder '$s' does not exist"; fi
  [ -e "$t" ] && [ "$ow" = false ] && fail "'$t' already exists and overwrite is false"
  mkdir -p -- "$(dirname -- "$t")" || exit 1
  case "$kind.$op" in
    file.copy) cp -a -- "$s" "$t" ;;
    file.move) mv -f -- "$s" "$t" ;;
    folder.copy) mkdir -p -- "$t" && cp -a -- "$s/." "$t/" ;;
    folder.move) if [ -e "$t" ]; then rm -rf -- "$t"; fi; mv -- "$s" "$t" ;;
  esac || exit 1
}
target() { case "$dest" in */) printf '%s' "$dest$(basename -- "$1")" ;; *) printf '%s' "$dest" ;; esac; }
case "$base" in
  *'*'*)
    case "$dest" in */) ;; *) fail "destination must end with '/' when the source has a wildcard" ;; esac
    found=0; IFS=
    for s in "$dir"/$base; do
      [ -e "$s" ] || continue
      if [ "$kind" = file ] && [ -d "$s" ]; then continue; fi
      if [ "$kind" = folder ] && [ ! -d "$s" ]; then continue; fi
      found=1; one "$s" "$(target "$s")"
    done
    [ $found = 1 ] || fail "nothing matches '$src'" ;;
  *) one "$src" "$(target "$src")" ;;
esac
`;

export function defineTransfer(name: string, kind: 'file' | 'folder', op: 'copy' | 'move'): ActionDefinition {
  return defineAction({
    name,
    platform: 'all',
    outputs: [],
    validateInputs: listValidator({
      source: { kind: 'string', required: true },
      destination: { kind: 'string', required: true },
      overwrite: { kind: 'boolean' },
    }),
    async execute(inputs, ctx) {
      for (const o of asObjects(inputs)) {
        const source = checkPath(str(o, 'source') ?? '', name);
        const destination = checkPath(str(o, 'destination') ?? '', name, { allowRoot: true });
        await shOk(ctx, name, SCRIPT, [source, destination, String(bool(o, 'overwrite', true)), kind, op]);
        ctx.log(`${name}: ${source} -> ${destination}`);
      }
      return { outputs: null };
    },
  });
}
