/**
 * @module LISTEN on one PostgreSQL channel over a connection of its own (a pooled one would be
 * handed to other queries): calls the listeners on each notification, reconnects after a drop.
 */
import pg from 'pg';

/** Wait before connecting again after the listening connection dropped. */
const RECONNECT_MS = 1000;

export class PgListener {
  readonly #url: string;
  readonly #channel: string;
  readonly #listeners = new Set<() => void>();
  #client: pg.Client | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;
  #connected = false;

  constructor(url: string, channel: string) {
    this.#url = url;
    this.#channel = channel;
  }

  /** Adds a listener (connecting on the first); returns the function that removes it. */
  add(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (!this.#client && !this.#retry) this.#connect();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #connect(): void {
    this.#retry = undefined;
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#url });
    this.#client = client;
    const dropped = () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end().catch(() => undefined);
      if (!this.#closed) (this.#retry = setTimeout(() => this.#connect(), RECONNECT_MS)).unref();
    };
    client.on('error', dropped);
    client.on('end', dropped);
    client.on('notification', () => {
      for (const l of this.#listeners) l();
    });
    // `channel` is one of this module's constants, never input: quoted as an identifier anyway.
    client
      .connect()
      .then(() => client.query(`LISTEN "${this.#channel.replaceAll('"', '""')}"`))
      .then(() => {
        // After a reconnect: what was announced while not listening is missed, so wake everyone.
        if (this.#connected) for (const l of this.#listeners) l();
        this.#connected = true;
      }, dropped);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
