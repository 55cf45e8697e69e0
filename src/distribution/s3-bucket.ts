/**
 * @module A minimal S3 client for S3-compatible site stores (path-style URLs, SigV4): head, get,
 * put (whole file), delete and list of object keys.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { S3SiteConfig } from '../config/ingot-config.ts';

const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

export class S3Bucket {
  readonly #c: S3SiteConfig;
  readonly #signer: SignatureV4;

  constructor(config: S3SiteConfig) {
    this.#c = config;
    this.#signer = new SignatureV4({
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      region: config.region ?? 'us-east-1',
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
    });
  }

  get name(): string {
    return this.#c.bucket;
  }

  async #send(
    method: string,
    key: string,
    opts: { query?: Record<string, string>; body?: Uint8Array } = {},
  ): Promise<Response> {
    const endpoint = new URL(this.#c.endpoint);
    const path = `${endpoint.pathname.replace(/\/$/, '')}/${this.#c.bucket}/${encodeKey(key)}`;
    const request = new HttpRequest({
      method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path,
      query: opts.query ?? {},
      headers: { host: endpoint.host },
      ...(opts.body ? { body: opts.body } : {}),
    });
    const signed = await this.#signer.sign(request);
    const query = new URLSearchParams(signed.query as Record<string, string>).toString();
    const { host: _host, ...headers } = signed.headers;
    return fetch(`${endpoint.protocol}//${endpoint.host}${signed.path}${query ? `?${query}` : ''}`, {
      method,
      headers,
      ...(opts.body ? { body: new Uint8Array(opts.body) } : {}),
    });
  }

  async #check(response: Response, what: string): Promise<Response> {
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    throw new Error(`${what} s3://${this.#c.bucket}: HTTP ${response.status}${code ? ` ${code}` : ''}`);
  }

  async exists(key: string): Promise<boolean> {
    const response = await this.#send('HEAD', key);
    if (response.status === 404) return false;
    await this.#check(response, `HEAD ${key}`);
    return true;
  }

  async get(key: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.#check(await this.#send('GET', key), `GET ${key}`)).arrayBuffer());
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.#check(await this.#send('PUT', key, { body }), `PUT ${key}`);
  }

  async delete(key: string): Promise<void> {
    await this.#check(await this.#send('DELETE', key), `DELETE ${key}`);
  }

  /** Every key under `prefix` (follows continuation tokens). */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const query: Record<string, string> = {
        'list-type': '2',
        prefix,
        ...(token ? { 'continuation-token': token } : {}),
      };
      const xml = await (await this.#check(await this.#send('GET', '', { query }), `LIST ${prefix}`)).text();
      keys.push(
        ...[...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) =>
          m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'),
        ),
      );
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
        ? /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1]
        : undefined;
    } while (token);
    return keys;
  }
}
