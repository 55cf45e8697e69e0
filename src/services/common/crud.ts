/**
 * @module The steps every resource service shares: insert a new resource (refusing a duplicate
 * name/version), list a page of one type, delete one the caller owns unless something uses it.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type { Filter } from '../../model/generated/shapes.ts';
import { DuplicateKeyError, type ResourceType } from '../../store/types.ts';
import { arnName } from '../../arn/arn.ts';
import { labelOf, notFoundError, ownerScope, ownResource } from './access.ts';
import { nowIso, type ServiceContext } from './context.ts';
import { toWhere, type FilterSpec } from './filters.ts';
import { decodeToken, encodeToken, pageSize } from './pagination.ts';

export interface NewResource<Doc> {
  type: ResourceType;
  arn: string;
  name: string;
  version?: string;
  build?: number;
  doc: Doc;
  /** ARNs this resource uses: they cannot be deleted while it exists. */
  references?: readonly string[];
}

export async function insertResource<Doc>(ctx: ServiceContext, r: NewResource<Doc>): Promise<void> {
  const now = nowIso();
  try {
    await ctx.store.transaction(async () => {
      await ctx.store.resources.insert({
        arn: r.arn,
        type: r.type,
        account: ctx.accountId,
        region: ctx.region,
        name: arnName(r.name),
        version: r.version ?? null,
        build: r.build ?? null,
        doc: r.doc,
        createdAt: now,
        updatedAt: now,
      });
      if (r.references?.length) await ctx.store.resources.setReferences(r.arn, r.references);
    });
  } catch (err) {
    if (err instanceof DuplicateKeyError) {
      throw new IngotError('ResourceAlreadyExistsException', `The following resource '${labelOf(r.type)}' already exists: '${r.arn}'.`);
    }
    throw err;
  }
}

export interface ListRequest {
  owner?: string | undefined;
  filters?: Filter[] | undefined;
  maxResults?: number | undefined;
  nextToken?: string | undefined;
}

export interface ListOptions {
  operation: string;
  type: ResourceType;
  filterSpec: FilterSpec;
  latestBuildOnly?: boolean;
  name?: string;
  version?: string;
  /** Extra fixed conditions (e.g. images of one pipeline). */
  where?: { path: string; values: string[] }[];
  /** Explicit account scope instead of the `owner` parameter's. */
  scope?: { accounts: string[]; alsoArns: string[] };
}

export async function listPage<Doc>(ctx: ServiceContext, req: ListRequest, o: ListOptions): Promise<{ items: Doc[]; nextToken?: string }> {
  const scope = o.scope ?? (await ownerScope(ctx, req.owner, o.type));
  const after = decodeToken(o.operation, req.nextToken);
  const page = await ctx.store.resources.list<Doc>({
    type: o.type,
    region: ctx.region,
    ...scope,
    limit: pageSize(req.maxResults),
    where: [...toWhere(o.operation, o.filterSpec, req.filters), ...(o.where ?? [])],
    ...(o.latestBuildOnly ? { latestBuildOnly: true } : {}),
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.version !== undefined ? { version: o.version } : {}),
    ...(after !== undefined ? { after } : {}),
  });
  const nextToken = encodeToken(o.operation, page.nextAfter);
  return { items: page.items.map((r) => r.doc), ...(nextToken ? { nextToken } : {}) };
}

/** Deletes a resource the caller owns; ResourceInUseException while another resource uses it. */
export async function deleteOwned(ctx: ServiceContext, arn: string, field: string, type: ResourceType): Promise<void> {
  await ownResource(ctx, arn, field, type);
  await ctx.store.transaction(async () => {
    const users = await ctx.store.resources.referencing(arn);
    if (users.length) {
      const names = users.slice(0, 5).map((u) => `${labelOf(u.type)} '${u.arn}'`).join(', ');
      throw new IngotError('ResourceInUseException', `The resource '${arn}' cannot be deleted because it is used by ${names}${users.length > 5 ? ` and ${users.length - 5} more` : ''}.`);
    }
    if (!(await ctx.store.resources.delete(arn))) throw notFoundError(type, arn);
  });
}
