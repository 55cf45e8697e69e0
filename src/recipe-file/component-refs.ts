/**
 * @module Finds the document a recipe's component entry names, without a server: a managed
 * component (by ARN or informal name, e.g. `aws-cli-version-x`), a component of the local store
 * (by ARN), or a document file (path relative to the recipe).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { tryParseArn } from '../arn/arn.ts';
import { IngotError } from '../errors/ingot-error.ts';
import { MANAGED_COMPONENTS, resolveManagedAlias } from '../toe/managed/index.ts';
import { absentManagedComponent } from '../toe/managed/published.ts';
import type { ComponentSource } from '../engine/component-from-text.ts';

export type StoredComponentLookup = (
  arn: string,
) => Promise<{ name: string; version: string; arn: string; data: string } | undefined>;

export interface RefContext {
  baseDir: string;
  where: string;
  entryName?: string | undefined;
  entryVersion?: string | undefined;
  stored?: StoredComponentLookup;
  /** Told every document file looked at, with its text (undefined: absent). */
  onRead?: (path: string, text: string | undefined) => void;
}

export async function resolveComponentRef(ref: string | undefined, ctx: RefContext): Promise<ComponentSource> {
  if (ref === undefined)
    throw new IngotError(
      'malformed',
      `${ctx.where}: give the component as \`uri\` (a file or an ARN), \`componentArn\`, or inline \`data\``,
    );
  if (ref.startsWith('arn:')) {
    const arn = tryParseArn(ref);
    if (arn?.type !== 'component') throw new IngotError('malformed', `${ctx.where}: '${ref}' is not a component ARN`);
    if (arn.account === 'aws') return managed(arn.name, ref, ctx);
    const found = await ctx.stored?.(ref);
    if (!found)
      throw new IngotError(
        'not-found',
        `${ctx.where}: the component '${ref}' is not in the local Ingot store (create it with the API first, or point \`uri\` at its document file)`,
      );
    return { name: found.name, version: found.version, arn: found.arn, text: found.data, origin: ref };
  }
  const path = isAbsolute(ref) ? ref : resolve(ctx.baseDir, ref.replace(/^file:\/\//, ''));
  const text = await readFile(path, 'utf8').catch(() => undefined);
  ctx.onRead?.(path, text);
  if (text !== undefined) return { name: ctx.entryName, version: ctx.entryVersion ?? '1.0.0', text, origin: path };
  // Not a file: perhaps a managed component's name.
  if (MANAGED_COMPONENTS.some((c) => c.name === resolveManagedAlias(ref))) return managed(ref, ref, ctx);
  throw new IngotError(
    'malformed',
    `${ctx.where}: '${ref}' is neither a document file (looked at ${path}) nor a managed component`,
  );
}

function managed(name: string, ref: string, ctx: RefContext): ComponentSource {
  const real = resolveManagedAlias(name);
  const c = MANAGED_COMPONENTS.find((m) => m.name === real);
  if (!c) {
    const bare = /:component\/([^/]+)/.exec(name)?.[1] ?? name;
    throw new IngotError(
      'not-found',
      `${ctx.where}: ${absentManagedComponent(
        bare,
        MANAGED_COMPONENTS.map((m) => m.name),
      )}`,
    );
  }
  return { name: c.name, version: c.semanticVersion, arn: ref, text: c.data, origin: `managed component ${c.name}` };
}
