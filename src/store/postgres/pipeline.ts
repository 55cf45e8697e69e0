/**
 * @module Pipelined read connections: plain reads outside transactions go over a few connections
 * in pg's pipeline mode, each written in one batch per tick, so many requests share a write and a
 * read of the socket instead of one round trip each on a pooled connection.
 */
import pg from 'pg';

/** Connections a process keeps for pipelined reads. */
export const PIPELINE_CONNECTIONS = 2;
/**
 * A connection whose oldest unanswered read is older than this is stalled (a slow read at the
 * head holds up every read behind it): new reads go to another, or to the pool when all are.
 */
export const STALLED_MS = 25;

type Types = NonNullable<pg.ClientConfig['types']>;

/** One pipelined connection: connected lazily, dropped on an error or its end (the next read makes a new one). */
class PipelinedClient {
  readonly client: pg.Client;
  readonly ready: Promise<void>;
  /** When each read not yet answered was sent, oldest first (a pipeline answers in order). */
  readonly #sentAt: number[] = [];
  dead = false;
  #corked = false;

  constructor(config: pg.ClientConfig, onDrop: (c: PipelinedClient) => void) {
    this.client = new pg.Client({ ...config, pipeline: true } as pg.ClientConfig);
    const drop = () => {
      if (this.dead) return;
      this.dead = true;
      onDrop(this);
      this.client.end().catch(() => undefined);
    };
    // A dropped connection (database restarted) fails its reads in flight; never crash the process.
    this.client.on('error', drop);
    this.client.on('end', drop);
    this.ready = this.client.connect().then(
      () => undefined,
      (err: unknown) => {
        drop();
        throw err;
      },
    );
  }

  async query<R extends object>(config: pg.QueryConfig<unknown[]>): Promise<pg.QueryResult<R>> {
    this.#sentAt.push(performance.now());
    try {
      await this.ready;
      this.#cork();
      return await this.client.query<R>(config);
    } finally {
      this.#sentAt.shift();
    }
  }

  get inFlight(): number {
    return this.#sentAt.length;
  }

  /** Whether the oldest unanswered read has waited longer than STALLED_MS at `now`. */
  stalled(now: number): boolean {
    return this.#sentAt.length > 0 && now - this.#sentAt[0]! > STALLED_MS;
  }

  /** The reads of this tick leave in one write (node's cork nests: each query's own uncork keeps it corked). */
  #cork(): void {
    if (this.#corked) return;
    const stream = (
      this.client as unknown as { connection: { stream: NodeJS.WritableStream & { cork(): void; uncork(): void } } }
    ).connection.stream;
    this.#corked = true;
    stream.cork();
    process.nextTick(() => {
      this.#corked = false;
      stream.uncork();
    });
  }
}

export class ReadPipeline {
  readonly #config: pg.ClientConfig;
  readonly #clients: PipelinedClient[] = [];
  #closed = false;

  constructor(connectionString: string, types: Types, connectionTimeoutMillis: number) {
    this.#config = { connectionString, types, connectionTimeoutMillis };
  }

  /**
   * Runs one read on the connection with the fewest reads in flight that is not stalled, opening
   * another while fewer than PIPELINE_CONNECTIONS are open and all are busy; undefined when every
   * one is stalled (the caller takes a pooled connection of its own instead).
   */
  query<R extends object>(config: pg.QueryConfig<unknown[]>): Promise<pg.QueryResult<R>> | undefined {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    const now = performance.now();
    let best: PipelinedClient | undefined;
    for (const c of this.#clients) if (!c.stalled(now) && (!best || c.inFlight < best.inFlight)) best = c;
    if (!best || best.inFlight > 0) {
      if (this.#clients.length >= PIPELINE_CONNECTIONS) return best?.query<R>(config);
      best = new PipelinedClient(this.#config, (dropped) => {
        const i = this.#clients.indexOf(dropped);
        if (i >= 0) this.#clients.splice(i, 1);
      });
      this.#clients.push(best);
    }
    return best.query<R>(config);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const clients = this.#clients.splice(0);
    await Promise.all(
      clients.map(async (c) => {
        c.dead = true;
        await c.client.end().catch(() => undefined);
      }),
    );
  }
}
