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
      throw new IngotError(
        'ResourceAlreadyExistsException',
        `The following resource '${labelOf(r.type)}' already exists: '${r.arn}'.`,
      );
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

export interface ListOptions<Doc = unknown, Item = Doc> {
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
  /**
   * Turns a stored document into the list item. It must depend on the document alone (not on
   * the caller): its results are memoised by document text and shared, frozen, between responses.
   * Without it the items are the documents themselves, parsed afresh.
   */
  item?: (doc: Doc) => Item;
}

export async function listPage<Doc, Item = Doc>(
  ctx: ServiceContext,
  req: ListRequest,
  o: ListOptions<Doc, Item>,
): Promise<{ items: Item[]; nextToken?: string }> {
  const scope = o.scope ?? (await ownerScope(ctx, req.owner, o.type));
  // The newest build of each shared version is the one listed, whatever newer unshared builds exist.
  if (o.latestBuildOnly && scope.alsoArns.length) scope.alsoArns = newestBuilds(scope.alsoArns);
  const after = decodeToken(o.operation, req.nextToken);
  const page = await ctx.store.resources.listDocuments({
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
  const items = o.item
    ? itemMemo(o.item).items(page.keys, page.docs)
    : page.docs.map((text) => JSON.parse(text) as Item);
  return { items, ...(nextToken ? { nextToken } : {}) };
}

/** Of build ARNs (`…/NAME/x.y.z/BUILD`), the highest build of each version. */
export function newestBuilds(arns: readonly string[]): string[] {
  const best = new Map<string, { arn: string; build: number }>();
  for (const arn of arns) {
    const m = /^(.*)\/([0-9]+)$/.exec(arn);
    if (!m) {
      best.set(arn, { arn, build: 0 });
      continue;
    }
    const build = Number(m[2]);
    const seen = best.get(m[1]!);
    if (!seen || build > seen.build) best.set(m[1]!, { arn, build });
  }
  return [...best.values()].map((b) => b.arn);
}

/** Documents longer than this are shaped every time rather than memoised. */
const MEMO_MAX_DOC_CHARS = 16 * 1024;
/** Characters of document text one memo keeps before it starts over. */
const MEMO_BUDGET_CHARS = 8 * 1024 * 1024;

/**
 * List items by document text: a page of unchanged documents is neither parsed nor shaped again.
 * Entries are found by the row's sort key (short: no hashing of the whole text) and used only
 * when the stored text equals the row's, so a changed document (in this process or another, or
 * the same key in another region) is a miss, never a stale item.
 */
class ItemMemo<Doc, Item> {
  readonly #shape: (doc: Doc) => Item;
  readonly #items = new Map<string, { text: string; item: Item }>();
  #chars = 0;

  constructor(shape: (doc: Doc) => Item) {
    this.#shape = shape;
  }

  items(keys: readonly string[], docs: readonly string[]): Item[] {
    const out = new Array<Item>(docs.length);
    for (let i = 0; i < docs.length; i++) out[i] = this.#item(keys[i]!, docs[i]!);
    return out;
  }

  #item(key: string, text: string): Item {
    const hit = this.#items.get(key);
    if (hit !== undefined && hit.text === text) return hit.item;
    const item = deepFreeze(this.#shape(JSON.parse(text) as Doc));
    if (text.length <= MEMO_MAX_DOC_CHARS) {
      if (this.#chars + text.length > MEMO_BUDGET_CHARS) {
        this.#items.clear();
        this.#chars = 0;
      }
      if (hit !== undefined) this.#chars -= hit.text.length;
      this.#items.set(key, { text, item });
      this.#chars += text.length;
    }
    return item;
  }
}

const memos = new WeakMap<object, ItemMemo<never, unknown>>();

function itemMemo<Doc, Item>(shape: (doc: Doc) => Item): ItemMemo<Doc, Item> {
  let memo = memos.get(shape) as ItemMemo<Doc, Item> | undefined;
  if (!memo) memos.set(shape, (memo = new ItemMemo(shape)) as unknown as ItemMemo<never, unknown>);
  return memo;
}

/** Shared items are frozen: a caller that tried to change one would throw, not corrupt the next response. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Deletes a resource the caller owns; ResourceDependencyException (what every Delete* of the model
 * answers) while another resource uses it.
 */
export async function deleteOwned(ctx: ServiceContext, arn: string, field: string, type: ResourceType): Promise<void> {
  await ownResource(ctx, arn, field, type);
  await ctx.store.transaction(async () => {
    const users = await ctx.store.resources.referencing(arn);
    if (users.length) {
      const names = users
        .slice(0, 5)
        .map((u) => `${labelOf(u.type)} '${u.arn}'`)
        .join(', ');
      throw new IngotError(
        'ResourceDependencyException',
        `The resource '${arn}' cannot be deleted because it is used by ${names}${users.length > 5 ? ` and ${users.length - 5} more` : ''}.`,
      );
    }
    if (!(await ctx.store.resources.delete(arn))) throw notFoundError(type, arn);
  });
}
