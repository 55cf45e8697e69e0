/**
 * @module SQLite implementation of `ResourceRepository` (resources + their references) and
 * `ShareRepository` (component policies and the accounts they share with).
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import {
  DuplicateKeyError,
  type ResourceDocumentPage,
  type ResourcePage,
  type ResourceQuery,
  type ResourceRecord,
  type ResourceRepository,
  type ResourceType,
  type ShareRepository,
  type SortKeyRange,
} from '../types.ts';
import { arrayStatement, statement } from './database.ts';
import { accountRange, resourceSortKey } from '../sort-key.ts';
import type { WriteLock } from './write-lock.ts';

interface Row {
  arn: string;
  type: string;
  account: string;
  region: string;
  name: string;
  version: string | null;
  build: number | null;
  sort_key: string;
  doc: string;
  created_at: string;
  updated_at: string;
}

function toRecord<Doc>(row: Row): ResourceRecord<Doc> {
  return {
    arn: row.arn,
    type: row.type as ResourceType,
    account: row.account,
    region: row.region,
    name: row.name,
    version: row.version,
    build: row.build,
    doc: JSON.parse(row.doc) as Doc,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(',');

/**
 * Document paths mirrored into a column at write time (migration 4): a `where` on one of them
 * compares the column instead of running json_extract on every row's document. The column holds
 * the value only when it is a JSON string (what the filters compare against), NULL otherwise,
 * which matches json_extract's result for every string filter value.
 */
const MIRRORED_PATHS: ReadonlyMap<string, string> = new Map([['state.status', 'state_status']]);

function stateStatusOf(doc: unknown): string | null {
  const state = (doc as { state?: unknown } | null)?.state;
  const status = typeof state === 'object' && state !== null ? (state as { status?: unknown }).status : undefined;
  return typeof status === 'string' ? status : null;
}

/** The columns that identify the builds of one version (what `latest` is computed over). */
const SAME_VERSION = 'type = ? AND region = ? AND account = ? AND name = ? AND version = ?';

export class SqliteResources implements ResourceRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  async get<Doc>(arn: string): Promise<ResourceRecord<Doc> | undefined> {
    const row = statement(this.#db, 'SELECT * FROM resources WHERE arn = ?').get(arn) as Row | undefined;
    return row ? toRecord<Doc>(row) : undefined;
  }

  insert<Doc>(r: ResourceRecord<Doc>): Promise<void> {
    return this.#lock.write(() => {
      const exists = statement(this.#db, 'SELECT 1 FROM resources WHERE arn = ?').get(r.arn);
      if (exists) throw new DuplicateKeyError(r.arn);
      // `latest`: no newer build of this version exists; the new build supersedes older ones.
      let latest = 1;
      if (r.version !== null && r.build !== null) {
        const key = [r.type, r.region, r.account, r.name, r.version] as const;
        if (
          statement(this.#db, `SELECT 1 FROM resources WHERE ${SAME_VERSION} AND build > ? LIMIT 1`).get(
            ...key,
            r.build,
          )
        )
          latest = 0;
        else
          statement(this.#db, `UPDATE resources SET latest = 0 WHERE ${SAME_VERSION} AND build < ? AND latest = 1`).run(
            ...key,
            r.build,
          );
      }
      statement(
        this.#db,
        'INSERT INTO resources (arn, type, account, region, name, version, build, sort_key, doc, created_at, updated_at, latest, state_status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)',
      ).run(
        r.arn,
        r.type,
        r.account,
        r.region,
        r.name,
        r.version,
        r.build,
        resourceSortKey(r.account, r.name, r.version, r.build),
        JSON.stringify(r.doc),
        r.createdAt,
        r.updatedAt,
        latest,
        stateStatusOf(r.doc),
      );
    });
  }

  update<Doc>(arn: string, doc: Doc): Promise<void> {
    return this.#lock.write(() => {
      statement(this.#db, 'UPDATE resources SET doc = ?, state_status = ?, updated_at = ? WHERE arn = ?').run(
        JSON.stringify(doc),
        stateStatusOf(doc),
        new Date().toISOString(),
        arn,
      );
    });
  }

  delete(arn: string): Promise<boolean> {
    return this.#lock.write(() => {
      statement(this.#db, 'DELETE FROM resource_references WHERE from_arn = ?').run(arn);
      statement(this.#db, 'DELETE FROM resource_shares WHERE arn = ?').run(arn);
      statement(this.#db, 'DELETE FROM resource_policies WHERE arn = ?').run(arn);
      const row = statement(
        this.#db,
        'SELECT type, region, account, name, version, build, latest FROM resources WHERE arn = ?',
      ).get(arn) as
        | {
            type: string;
            region: string;
            account: string;
            name: string;
            version: string | null;
            build: number | null;
            latest: number;
          }
        | undefined;
      if (!row) return false;
      statement(this.#db, 'DELETE FROM resources WHERE arn = ?').run(arn);
      if (row.version !== null && row.build !== null)
        statement(
          this.#db,
          `INSERT INTO deleted_builds (type, region, account, name, version, last_build) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT DO UPDATE SET last_build = MAX(last_build, excluded.last_build)`,
        ).run(row.type, row.region, row.account, row.name, row.version, row.build);
      // Deleting the newest build makes the next newest one (if any) the newest.
      if (row.latest && row.version !== null && row.build !== null) {
        statement(
          this.#db,
          `UPDATE resources SET latest = 1 WHERE arn = (SELECT arn FROM resources WHERE ${SAME_VERSION} ORDER BY build DESC LIMIT 1)`,
        ).run(row.type, row.region, row.account, row.name, row.version);
      }
      return true;
    });
  }

  async list<Doc>(q: ResourceQuery): Promise<ResourcePage<Doc>> {
    const query = this.#pageQuery(q);
    if (!query) return { items: [], nextAfter: undefined };
    const rows = statement(this.#db, `SELECT * ${query.from}`).all(...query.args) as unknown as Row[];
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    return { items: page.map((r) => toRecord<Doc>(r)), nextAfter: more ? page.at(-1)!.sort_key : undefined };
  }

  async listDocuments(q: ResourceQuery): Promise<ResourceDocumentPage> {
    const query = this.#pageQuery(q);
    if (!query) return { docs: [], keys: [], nextAfter: undefined };
    // Two columns as arrays: materialising every column of every row as an object costs more
    // than the query itself.
    const rows = arrayStatement(this.#db, `SELECT sort_key, doc ${query.from}`).all(...query.args) as unknown as [
      string,
      string,
    ][];
    const more = rows.length > q.limit;
    const n = more ? q.limit : rows.length;
    const docs = new Array<string>(n);
    const keys = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      keys[i] = rows[i]![0];
      docs[i] = rows[i]![1];
    }
    return { docs, keys, nextAfter: more ? keys[n - 1] : undefined };
  }

  /** FROM/WHERE/ORDER/LIMIT of a page (one row more than asked, to know whether more follow), or undefined when nothing is visible. */
  #pageQuery(q: ResourceQuery): { from: string; args: SQLInputValue[] } | undefined {
    const where: string[] = ['type = ?', 'region = ?'];
    const args: SQLInputValue[] = [q.type, q.region];
    const owners: string[] = [];
    // `latest = 1` (literally) also lets SQLite walk the partial index resources_latest. It applies
    // to the accounts' own rows; shared ARNs (`alsoArns`) are already the builds to show.
    const latest = q.latestBuildOnly ? ' AND latest = 1' : '';
    if (q.accounts.length) {
      owners.push(`(account IN (${placeholders(q.accounts.length)})${latest})`);
      args.push(...q.accounts);
    }
    if (q.alsoArns?.length) {
      owners.push(`arn IN (${placeholders(q.alsoArns.length)})`);
      args.push(...q.alsoArns);
    }
    if (!owners.length) return undefined;
    where.push(`(${owners.join(' OR ')})`);
    let after = q.after;
    if (q.accounts.length === 1 && !q.alsoArns?.length) {
      // Sort keys start with the account and a separator: one account's rows are one key range,
      // so the index walk starts at them instead of filtering every other account's rows out.
      // One lower bound only (the later of the range's start and the page's `after`): given two,
      // SQLite walks from the first and filters up to the second, a deep page visiting every
      // row before it.
      const [from, to] = accountRange(q.accounts[0]!);
      where.push('sort_key > ? AND sort_key < ?');
      args.push(after !== undefined && after > from ? after : from, to);
      after = undefined;
    }
    if (q.name !== undefined) where.push('name = ?'), args.push(q.name);
    if (q.version !== undefined) where.push('version = ?'), args.push(q.version);
    if (after !== undefined) where.push('sort_key > ?'), args.push(after);
    for (const f of q.where ?? []) {
      const column = MIRRORED_PATHS.get(f.path);
      if (column !== undefined) {
        where.push(`${column} IN (${placeholders(f.values.length)})`);
        args.push(...f.values);
      } else if (f.path.endsWith('[*]')) {
        where.push(`EXISTS (SELECT 1 FROM json_each(doc, ?) WHERE value IN (${placeholders(f.values.length)}))`);
        args.push(`$.${f.path.slice(0, -3)}`, ...f.values);
      } else {
        where.push(`json_extract(doc, ?) IN (${placeholders(f.values.length)})`);
        args.push(`$.${f.path}`, ...f.values);
      }
    }
    args.push(q.limit + 1);
    return { from: `FROM resources WHERE ${where.join(' AND ')} ORDER BY sort_key LIMIT ?`, args };
  }

  async maxBuild(type: ResourceType, account: string, region: string, name: string, version: string): Promise<number> {
    // Deleted builds count too: a build number is never given twice.
    const row = statement(
      this.#db,
      `SELECT MAX(COALESCE((SELECT MAX(build) FROM resources WHERE type = ?1 AND account = ?2 AND region = ?3 AND name = ?4 AND version = ?5), 0),
                  COALESCE((SELECT last_build FROM deleted_builds WHERE type = ?1 AND account = ?2 AND region = ?3 AND name = ?4 AND version = ?5), 0)) AS b`,
    ).get(type, account, region, name, version) as { b: number | null };
    return row.b ?? 0;
  }

  async versions(type: ResourceType, accounts: readonly string[], region: string, name: string) {
    if (!accounts.length) return [];
    return statement(
      this.#db,
      `SELECT arn, account, version, build FROM resources WHERE type = ? AND region = ? AND name = ? AND account IN (${placeholders(accounts.length)}) ORDER BY sort_key`,
    ).all(type, region, name, ...accounts) as unknown as {
      arn: string;
      account: string;
      version: string;
      build: number | null;
    }[];
  }

  async newestInRanges(type: ResourceType, region: string, ranges: readonly SortKeyRange[]) {
    if (!ranges.length) return [];
    // One scalar subquery per range, each a backward seek on resources_by_type.
    const newest =
      '(SELECT arn FROM resources WHERE type = ? AND region = ? AND sort_key >= ? AND sort_key < ? ORDER BY sort_key DESC LIMIT 1)';
    const row = arrayStatement(this.#db, `SELECT ${ranges.map(() => newest).join(', ')}`).get(
      ...ranges.flatMap(([from, to]) => [type, region, from, to]),
    ) as unknown as (string | null)[];
    return row.map((arn) => arn ?? undefined);
  }

  async getWithNewest<Doc>(arn: string, ranges: readonly SortKeyRange[]) {
    // SQLite answers in process: the two statements cost no round trip.
    const record = await this.get<Doc>(arn);
    if (!record) return undefined;
    return { record, newest: await this.newestInRanges(record.type, record.region, ranges) };
  }

  async referencing(arn: string): Promise<{ arn: string; type: ResourceType }[]> {
    return statement(
      this.#db,
      'SELECT r.arn AS arn, r.type AS type FROM resource_references x JOIN resources r ON r.arn = x.from_arn WHERE x.to_arn = ?',
    ).all(arn) as unknown as { arn: string; type: ResourceType }[];
  }

  setReferences(fromArn: string, toArns: readonly string[]): Promise<void> {
    return this.#lock.write(() => {
      statement(this.#db, 'DELETE FROM resource_references WHERE from_arn = ?').run(fromArn);
      const insert = statement(this.#db, 'INSERT OR IGNORE INTO resource_references (from_arn, to_arn) VALUES (?, ?)');
      for (const to of toArns) insert.run(fromArn, to);
    });
  }

  async count(type: ResourceType, region?: string): Promise<number> {
    const row = (
      region === undefined
        ? statement(this.#db, 'SELECT COUNT(*) AS n FROM resources WHERE type = ?').get(type)
        : statement(this.#db, 'SELECT COUNT(*) AS n FROM resources WHERE type = ? AND region = ?').get(type, region)
    ) as { n: number };
    return row.n;
  }

  async allOfType<Doc>(type: ResourceType): Promise<ResourceRecord<Doc>[]> {
    return (
      statement(this.#db, 'SELECT * FROM resources WHERE type = ? ORDER BY sort_key').all(type) as unknown as Row[]
    ).map((r) => toRecord<Doc>(r));
  }
}

export class SqliteShares implements ShareRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  setShares(arn: string, accounts: readonly string[], policy: string): Promise<void> {
    return this.#lock.write(() => {
      const row = statement(this.#db, 'SELECT type, region FROM resources WHERE arn = ?').get(arn) as
        | { type: string; region: string }
        | undefined;
      if (!row) throw new Error(`setShares: no resource ${arn}`);
      statement(
        this.#db,
        'INSERT INTO resource_policies (arn, policy) VALUES (?, ?) ON CONFLICT(arn) DO UPDATE SET policy = excluded.policy',
      ).run(arn, policy);
      statement(this.#db, 'DELETE FROM resource_shares WHERE arn = ?').run(arn);
      const insert = statement(
        this.#db,
        'INSERT OR IGNORE INTO resource_shares (arn, account, type, region) VALUES (?,?,?,?)',
      );
      for (const account of accounts) insert.run(arn, account, row.type, row.region);
    });
  }

  async getPolicy(arn: string): Promise<string | undefined> {
    const row = statement(this.#db, 'SELECT policy FROM resource_policies WHERE arn = ?').get(arn) as
      | { policy: string }
      | undefined;
    return row?.policy;
  }

  async sharedWith(account: string, type: ResourceType, region: string): Promise<string[]> {
    const rows = statement(
      this.#db,
      "SELECT arn FROM resource_shares WHERE (account = ? OR account = '*') AND type = ? AND region = ?",
    ).all(account, type, region) as unknown as { arn: string }[];
    return rows.map((r) => r.arn);
  }

  async isSharedWith(arn: string, account: string): Promise<boolean> {
    return !!statement(this.#db, "SELECT 1 FROM resource_shares WHERE arn = ? AND (account = ? OR account = '*')").get(
      arn,
      account,
    );
  }
}
