/**
 * @module PostgreSQL `ResourceRepository` and `ShareRepository`: the same rows, sort keys and
 * `latest` flags as the SQLite store. Builds of one version are numbered under a transaction-scoped
 * advisory lock on the version, so replicas creating the same name/version never pick one number twice.
 */
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
import { accountRange, resourceSortKey } from '../sort-key.ts';
import { isUniqueViolation, type Param, type PgDatabase, placeholders } from './database.ts';

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

const COLUMNS = 'arn, type, account, region, name, version, build, sort_key, doc::text AS doc, created_at, updated_at';

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

/** Document paths mirrored into a column at write time (as in the SQLite store). */
const MIRRORED_PATHS: ReadonlyMap<string, string> = new Map([['state.status', 'state_status']]);

function stateStatusOf(doc: unknown): string | null {
  const state = (doc as { state?: unknown } | null)?.state;
  const status = typeof state === 'object' && state !== null ? (state as { status?: unknown }).status : undefined;
  return typeof status === 'string' ? status : null;
}

const SAME_VERSION = 'type = $1 AND region = $2 AND account = $3 AND name = $4 AND version = $5';

/** Holds the build numbers of one version until the current transaction ends. */
function lockVersion(db: PgDatabase, key: readonly string[]): Promise<unknown> {
  return db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`build:${key.join('\u001f')}`]);
}

export class PgResources implements ResourceRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async get<Doc>(arn: string): Promise<ResourceRecord<Doc> | undefined> {
    const row = await this.#db.readOne<Row>(`SELECT ${COLUMNS} FROM resources WHERE arn = $1`, [arn]);
    return row ? toRecord<Doc>(row) : undefined;
  }

  insert<Doc>(r: ResourceRecord<Doc>): Promise<void> {
    return this.#db.transaction(async () => {
      let latest = true;
      if (r.version !== null && r.build !== null) {
        const key = [r.type, r.region, r.account, r.name, r.version] as const;
        await lockVersion(this.#db, key);
        if (
          await this.#db.one(`SELECT 1 FROM resources WHERE ${SAME_VERSION} AND build > $6 LIMIT 1`, [...key, r.build])
        )
          latest = false;
        else
          await this.#db.query(`UPDATE resources SET latest = FALSE WHERE ${SAME_VERSION} AND build < $6 AND latest`, [
            ...key,
            r.build,
          ]);
      }
      try {
        await this.#db.query(
          `INSERT INTO resources (arn, type, account, region, name, version, build, sort_key, doc, created_at, updated_at, latest, state_status)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
          [
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
          ],
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw new DuplicateKeyError(r.arn);
        throw err;
      }
    });
  }

  async update<Doc>(arn: string, doc: Doc): Promise<void> {
    await this.#db.query('UPDATE resources SET doc = $1, state_status = $2, updated_at = $3 WHERE arn = $4', [
      JSON.stringify(doc),
      stateStatusOf(doc),
      new Date().toISOString(),
      arn,
    ]);
  }

  delete(arn: string): Promise<boolean> {
    return this.#db.transaction(async () => {
      await this.#db.query('DELETE FROM resource_references WHERE from_arn = $1', [arn]);
      await this.#db.query('DELETE FROM resource_shares WHERE arn = $1', [arn]);
      await this.#db.query('DELETE FROM resource_policies WHERE arn = $1', [arn]);
      const row = await this.#db.one<{
        type: string;
        region: string;
        account: string;
        name: string;
        version: string | null;
        build: number | null;
        latest: boolean;
      }>('DELETE FROM resources WHERE arn = $1 RETURNING type, region, account, name, version, build, latest', [arn]);
      if (!row) return false;
      if (row.version !== null && row.build !== null) {
        const key = [row.type, row.region, row.account, row.name, row.version];
        await this.#db.query(
          `INSERT INTO deleted_builds (type, region, account, name, version, last_build) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (type, region, account, name, version) DO UPDATE SET last_build = GREATEST(deleted_builds.last_build, excluded.last_build)`,
          [...key, row.build],
        );
        if (row.latest)
          await this.#db.query(
            `UPDATE resources SET latest = TRUE WHERE arn = (SELECT arn FROM resources WHERE ${SAME_VERSION} ORDER BY build DESC LIMIT 1)`,
            key,
          );
      }
      return true;
    });
  }

  async list<Doc>(q: ResourceQuery): Promise<ResourcePage<Doc>> {
    const query = pageQuery(q);
    if (!query) return { items: [], nextAfter: undefined };
    const rows = await this.#db.read<Row>(`SELECT ${COLUMNS} ${query.from}`, query.args);
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    return { items: page.map((r) => toRecord<Doc>(r)), nextAfter: more ? page.at(-1)!.sort_key : undefined };
  }

  async listDocuments(q: ResourceQuery): Promise<ResourceDocumentPage> {
    const query = pageQuery(q);
    if (!query) return { docs: [], keys: [], nextAfter: undefined };
    const rows = await this.#db.read<{ sort_key: string; doc: string }>(
      `SELECT sort_key, doc::text AS doc ${query.from}`,
      query.args,
    );
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    return {
      docs: page.map((r) => r.doc),
      keys: page.map((r) => r.sort_key),
      nextAfter: more ? page.at(-1)!.sort_key : undefined,
    };
  }

  async maxBuild(type: ResourceType, account: string, region: string, name: string, version: string): Promise<number> {
    const key = [type, region, account, name, version];
    // Inside a transaction (creating a build), the version stays locked until it commits.
    if (this.#db.inTransaction) await lockVersion(this.#db, key);
    const row = await this.#db.one<{ b: number }>(
      `SELECT GREATEST(COALESCE((SELECT MAX(build) FROM resources WHERE ${SAME_VERSION}), 0),
                       COALESCE((SELECT last_build FROM deleted_builds WHERE ${SAME_VERSION}), 0)) AS b`,
      key,
    );
    return row?.b ?? 0;
  }

  async versions(type: ResourceType, accounts: readonly string[], region: string, name: string) {
    if (!accounts.length) return [];
    return this.#db.read<{ arn: string; account: string; version: string; build: number | null }>(
      `SELECT arn, account, version, build FROM resources WHERE type = $1 AND region = $2 AND name = $3 AND account IN (${placeholders(accounts.length, 4)}) ORDER BY sort_key`,
      [type, region, name, ...accounts],
    );
  }

  async newestInRanges(type: ResourceType, region: string, ranges: readonly SortKeyRange[]) {
    if (!ranges.length) return [];
    // One scalar subquery per range, each a backward index scan on resources_by_type.
    const columns = ranges.map(
      (_, i) =>
        `(SELECT arn FROM resources WHERE type = $1 AND region = $2 AND sort_key >= $${2 * i + 3} AND sort_key < $${2 * i + 4} ORDER BY sort_key DESC LIMIT 1) AS r${i}`,
    );
    const row = (
      await this.#db.read<Record<string, string | null>>(`SELECT ${columns.join(', ')}`, [
        type,
        region,
        ...ranges.flat(),
      ])
    )[0];
    return ranges.map((_, i) => row?.[`r${i}`] ?? undefined);
  }

  async getWithNewest<Doc>(arn: string, ranges: readonly SortKeyRange[]) {
    // The row and one scalar subquery per range on the row's own type and region: one statement,
    // one round trip (each subquery a backward index scan on resources_by_type, as in newestInRanges).
    const columns = ranges.map(
      (_, i) =>
        `, (SELECT n.arn FROM resources n WHERE n.type = r.type AND n.region = r.region AND n.sort_key >= $${2 * i + 2} AND n.sort_key < $${2 * i + 3} ORDER BY n.sort_key DESC LIMIT 1) AS r${i}`,
    );
    const row = await this.#db.readOne<Row & Record<string, string | null>>(
      `SELECT ${COLUMNS}${columns.join('')} FROM resources r WHERE r.arn = $1`,
      [arn, ...ranges.flat()],
    );
    if (!row) return undefined;
    return { record: toRecord<Doc>(row), newest: ranges.map((_, i) => row[`r${i}`] ?? undefined) };
  }

  async referencing(arn: string): Promise<{ arn: string; type: ResourceType }[]> {
    return this.#db.read<{ arn: string; type: ResourceType }>(
      'SELECT r.arn AS arn, r.type AS type FROM resource_references x JOIN resources r ON r.arn = x.from_arn WHERE x.to_arn = $1',
      [arn],
    );
  }

  setReferences(fromArn: string, toArns: readonly string[]): Promise<void> {
    return this.#db.transaction(async () => {
      await this.#db.query('DELETE FROM resource_references WHERE from_arn = $1', [fromArn]);
      if (toArns.length)
        await this.#db.query(
          'INSERT INTO resource_references (from_arn, to_arn) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING',
          [fromArn, toArns],
        );
    });
  }

  async count(type: ResourceType, region?: string): Promise<number> {
    const row =
      region === undefined
        ? await this.#db.one<{ n: number }>('SELECT COUNT(*) AS n FROM resources WHERE type = $1', [type])
        : await this.#db.one<{ n: number }>('SELECT COUNT(*) AS n FROM resources WHERE type = $1 AND region = $2', [
            type,
            region,
          ]);
    return row?.n ?? 0;
  }

  async allOfType<Doc>(type: ResourceType): Promise<ResourceRecord<Doc>[]> {
    const rows = await this.#db.query<Row>(`SELECT ${COLUMNS} FROM resources WHERE type = $1 ORDER BY sort_key`, [
      type,
    ]);
    return rows.map((r) => toRecord<Doc>(r));
  }
}

/** FROM/WHERE/ORDER/LIMIT of a page (one row more than asked), or undefined when nothing is visible. */
function pageQuery(q: ResourceQuery): { from: string; args: Param[] } | undefined {
  const args: Param[] = [q.type, q.region];
  const arg = (v: Param): string => {
    args.push(v);
    return `$${args.length}`;
  };
  const list = (vs: readonly string[]): string => vs.map((v) => arg(v)).join(',');
  const where: string[] = ['type = $1', 'region = $2'];
  const owners: string[] = [];
  const latest = q.latestBuildOnly ? ' AND latest' : '';
  if (q.accounts.length) owners.push(`(account IN (${list(q.accounts)})${latest})`);
  if (q.alsoArns?.length) owners.push(`arn IN (${list(q.alsoArns)})`);
  if (!owners.length) return undefined;
  where.push(`(${owners.join(' OR ')})`);
  let after = q.after;
  if (q.accounts.length === 1 && !q.alsoArns?.length) {
    // One account's rows are one key range; one lower bound only (as in the SQLite store).
    const [from, to] = accountRange(q.accounts[0]!);
    where.push(`sort_key > ${arg(after !== undefined && after > from ? after : from)} AND sort_key < ${arg(to)}`);
    after = undefined;
  }
  if (q.name !== undefined) where.push(`name = ${arg(q.name)}`);
  if (q.version !== undefined) where.push(`version = ${arg(q.version)}`);
  if (after !== undefined) where.push(`sort_key > ${arg(after)}`);
  for (const f of q.where ?? []) {
    const column = MIRRORED_PATHS.get(f.path);
    if (column !== undefined) {
      where.push(`${column} IN (${list(f.values)})`);
    } else if (f.path.endsWith('[*]')) {
      const p = arg(f.path.slice(0, -3).split('.'));
      where.push(
        `EXISTS (SELECT 1 FROM json_array_elements(CASE WHEN json_typeof(doc #> ${p}::text[]) = 'array' THEN doc #> ${p}::text[] ELSE '[]'::json END) e
         WHERE json_typeof(e) = 'string' AND (e #>> '{}') IN (${list(f.values)}))`,
      );
    } else {
      const p = arg(f.path.split('.'));
      where.push(`json_typeof(doc #> ${p}::text[]) = 'string' AND (doc #>> ${p}::text[]) IN (${list(f.values)})`);
    }
  }
  return { from: `FROM resources WHERE ${where.join(' AND ')} ORDER BY sort_key LIMIT ${arg(q.limit + 1)}`, args };
}

export class PgShares implements ShareRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  setShares(arn: string, accounts: readonly string[], policy: string): Promise<void> {
    return this.#db.transaction(async () => {
      const row = await this.#db.one<{ type: string; region: string }>(
        'SELECT type, region FROM resources WHERE arn = $1',
        [arn],
      );
      if (!row) throw new Error(`setShares: no resource ${arn}`);
      await this.#db.query(
        'INSERT INTO resource_policies (arn, policy) VALUES ($1, $2) ON CONFLICT (arn) DO UPDATE SET policy = excluded.policy',
        [arn, policy],
      );
      await this.#db.query('DELETE FROM resource_shares WHERE arn = $1', [arn]);
      if (accounts.length)
        await this.#db.query(
          'INSERT INTO resource_shares (arn, account, type, region) SELECT $1, unnest($2::text[]), $3, $4 ON CONFLICT DO NOTHING',
          [arn, accounts, row.type, row.region],
        );
    });
  }

  async getPolicy(arn: string): Promise<string | undefined> {
    return (await this.#db.readOne<{ policy: string }>('SELECT policy FROM resource_policies WHERE arn = $1', [arn]))
      ?.policy;
  }

  async sharedWith(account: string, type: string, region: string): Promise<string[]> {
    const rows = await this.#db.read<{ arn: string }>(
      "SELECT arn FROM resource_shares WHERE (account = $1 OR account = '*') AND type = $2 AND region = $3",
      [account, type, region],
    );
    return rows.map((r) => r.arn);
  }

  async isSharedWith(arn: string, account: string): Promise<boolean> {
    return !!(await this.#db.readOne(
      "SELECT 1 FROM resource_shares WHERE arn = $1 AND (account = $2 OR account = '*')",
      [arn, account],
    ));
  }
}
