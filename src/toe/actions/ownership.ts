/** @module Shared by SetFileOwner/SetFolderOwner and SetFilePermissions/SetFolderPermissions (chown/chmod in the instance). */
import { defineAction } from './define.ts';
import type { ActionDefinition } from './define.ts';
import { asObjects, bool, listValidator, str } from './schema.ts';
import type { Shape } from './schema.ts';
import { checkPath, FAIL, shOk } from './shell.ts';

/** Args: path, kind (file|folder), recursive, tool (chown|chmod), spec. */
const SCRIPT =
  FAIL +
  `p=$1
if [ "$2" = file ]; then [ -f "$p" ] || fail "file '$p' does not exist"; else [ -d "$p" ] || fail "folder '$p' does not exist"; fi
if [ "$3" = true ]; then "$4" -R -- "$5" "$p"; else "$4" -- "$5" "$p"; fi
`;

const PERMISSIONS = /^([0-7]{3,4}|[ugoa]*[-+=][rwxXst]*(,[ugoa]*[-+=][rwxXst]*)*)$/;

export function defineOwnership(name: string, kind: 'file' | 'folder', tool: 'chown' | 'chmod'): ActionDefinition {
  const shape: Shape =
    tool === 'chown'
      ? {
          path: { kind: 'string', required: true },
          owner: { kind: 'string', required: true },
          group: { kind: 'string' },
        }
      : { path: { kind: 'string', required: true }, permissions: { kind: 'string', required: true } };
  if (kind === 'folder') shape.recursive = { kind: 'boolean' };
  return defineAction({
    name,
    platform: 'linux',
    outputs: [],
    validateInputs(inputs, report) {
      listValidator(shape)(inputs, report);
      if (tool === 'chmod' && Array.isArray(inputs))
        inputs.forEach((o, i) => {
          const p = o && typeof o === 'object' && !Array.isArray(o) ? o.permissions : undefined;
          if (
            (typeof p === 'string' || typeof p === 'number') &&
            !String(p).includes('{{') &&
            !PERMISSIONS.test(String(p))
          ) {
            report(
              [i, 'permissions'],
              `'${p}' is not a permission mode; expected octal like 0755 or symbolic like u+x`,
            );
          }
        });
    },
    async execute(inputs, ctx) {
      for (const o of asObjects(inputs)) {
        const path = checkPath(str(o, 'path') ?? '', name);
        const owner = str(o, 'owner') ?? '';
        const spec = tool === 'chmod' ? (str(o, 'permissions') ?? '') : `${owner}:${str(o, 'group') ?? ''}`;
        await shOk(ctx, name, SCRIPT, [
          path,
          kind,
          String(kind === 'folder' && bool(o, 'recursive', true)),
          tool,
          spec,
        ]);
      }
      return { outputs: null };
    },
  });
}
