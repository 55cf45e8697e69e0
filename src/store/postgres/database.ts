/**
 * @module The PostgreSQL connections of the store: every query runs on the transaction's own
 * client when one is open in the calling async context (AsyncLocalStorage), else on any pooled one;
 * plain reads (`read`) outside transactions go over the pipelined read connections (pipeline.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { PgListener } from './listen.ts';
import { ReadPipeline } from './pipeline.ts';

/** Columns of type bigint (epoch ms, sequence numbers) come back as numbers, not strings. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Distinct statement texts prepared by name (each connection keeps at most this many). */
const MAX_PREPARED = 500;

export type Param = string | number | boolean | null | readonly string[];

/**
 * The client of an open transaction; `open` turns false at its end. `tail` is its last query: a
 * connection runs one query at a time, so two started at once inside one transaction (a
 * Promise.all, a timer that inherited the transaction's context) queue behind each other here
 * instead of inside `pg` (which warns that this is deprecated and will be refused).
 */
interface TxScope {
  client: pg.PoolClient;
  open: boolean;
  tail: Promise<unknown>;
}

export class PgDatabase {
  readonly pool: pg.Pool;
  /**
   * Work started inside a transaction that outlives it (a timer, a build the in-process worker
   * starts from a request) keeps the async context: once the transaction has ended, its queries go
   * to the pool, never to the released client.
   */
  readonly #tx = new AsyncLocalStorage<TxScope>();
  /** Names of the prepared statements, by SQL text. */
  readonly #names = new Map<string, string>();

  readonly #url: string;
  readonly #listeners = new Map<string, PgListener>();
  readonly #reads: ReadPipeline;

  constructor(url: string, max = 10) {
    this.#url = url;
    this.pool = new pg.Pool({ connectionString: url, max, types, connectionTimeoutMillis: 15_000 });
    this.#reads = new ReadPipeline(url, types, 15_000);
    // A dropped idle connection (database restarted) is replaced on next use; do not crash.
    this.pool.on('error', () => undefined);
  }

  /** Whether the caller runs inside `transaction`. */
  get inTransaction(): boolean {
    return this.#client() !== undefined;
  }

  #client(): pg.PoolClient | undefined {
    return this.#scope()?.client;
  }

  #scope(): TxScope | undefined {
    const scope = this.#tx.getStore();
    return scope?.open ? scope : undefined;
  }

  /** Runs `config` on the open transaction's client after its previous query, else undefined. */
  #inTransaction<R extends object>(config: pg.QueryConfig<Param[]>): Promise<pg.QueryResult<R>> | undefined {
    const scope = this.#scope();
    if (!scope) return undefined;
    const run = scope.tail.then(
      () => scope.client.query<R>(config),
      () => scope.client.query<R>(config),
    );
    scope.tail = run.catch(() => undefined);
    return run;
  }

  async query<R extends object = Record<string, unknown>>(sql: string, params: readonly Param[] = []): Promise<R[]> {
    const config = this.#statement(sql, params);
    const result = await (this.#inTransaction<R>(config) ?? this.pool.query<R>(config));
    return result.rows;
  }

  /**
   * A plain read (a SELECT that takes no lock: it can never wait on another transaction). Outside a
   * transaction it goes over the pipelined read connections, where the reads of many requests
   * share one write and one read of the socket; inside one, on the transaction's client like `query`.
   */
  async read<R extends object = Record<string, unknown>>(sql: string, params: readonly Param[] = []): Promise<R[]> {
    const config = this.#statement(sql, params);
    const result = await (this.#inTransaction<R>(config) ?? this.#reads.query<R>(config) ?? this.pool.query<R>(config));
    return result.rows;
  }

  /** The first row of a `read`. */
  async readOne<R extends object = Record<string, unknown>>(
    sql: string,
    params: readonly Param[] = [],
  ): Promise<R | undefined> {
    return (await this.read<R>(sql, params))[0];
  }

  /**
   * A query with parameters runs as a named prepared statement: each connection parses and plans
   * it once, then only binds and executes it (the hot reads run thousands of times a second).
   * Statements without parameters (migrations, several statements in one string) stay unnamed;
   * past MAX_PREPARED distinct texts, new ones do too, so dynamic SQL cannot fill the connections.
   */
  #statement(sql: string, params: readonly Param[]): pg.QueryConfig<Param[]> {
    if (!params.length) return { text: sql };
    let name = this.#names.get(sql);
    if (name === undefined && this.#names.size < MAX_PREPARED)
      this.#names.set(sql, (name = `ingot_${this.#names.size}`));
    return name === undefined
      ? { text: sql, values: params as Param[] }
      : { name, text: sql, values: params as Param[] };
  }

  async one<R extends object = Record<string, unknown>>(
    sql: string,
    params: readonly Param[] = [],
  ): Promise<R | undefined> {
    return (await this.query<R>(sql, params))[0];
  }

  async count(sql: string, params: readonly Param[] = []): Promise<number> {
    const config = this.#statement(sql, params);
    const result = await (this.#inTransaction(config) ?? this.pool.query(config));
    return result.rowCount ?? 0;
  }

  /** Runs `fn` in one transaction on one client (nested calls join the outer one). */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#client()) return fn();
    const client = await this.pool.connect();
    const scope: TxScope = { client, open: true, tail: Promise.resolve() };
    let broken = false;
    // A connection dropped between the transaction's statements (database restarted) emits 'error'
    // on a checked-out client, which has no listener of the pool's: without this one, the process
    // would crash; the next statement fails instead and the client is thrown away.
    const dropped = () => {
      broken = true;
    };
    client.on('error', dropped);
    try {
      await client.query('BEGIN');
      const result = await this.#tx.run(scope, fn);
      scope.open = false;
      await scope.tail;
      await client.query('COMMIT');
      return result;
    } catch (err) {
      scope.open = false;
      // A query of `fn` may still run (a Promise.all whose other branch failed first).
      await scope.tail;
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.off('error', dropped);
      client.release(broken);
    }
  }

  /** Calls `fn` on each NOTIFY on `channel` (one listening connection per channel); returns the function that stops it. */
  listen(channel: string, fn: () => void): () => void {
    let listener = this.#listeners.get(channel);
    if (!listener) this.#listeners.set(channel, (listener = new PgListener(this.#url, channel)));
    return listener.add(fn);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#listeners.values()].map((l) => l.close()));
    await this.#reads.close();
    await this.pool.end();
  }
}

/** `$1,$2,...` for `n` parameters starting at `from`. */
export const placeholders = (n: number, from: number): string =>
  Array.from({ length: n }, (_, i) => `$${from + i}`).join(',');

/** Whether `err` is PostgreSQL's unique_violation. */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code === '23505';
