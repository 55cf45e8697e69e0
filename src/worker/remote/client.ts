/**
 * @module The build host's side of the worker API: JSON POSTs with the worker token, retried while
 * the control plane cannot be reached (network errors, 502/503/504) until the call's deadline; a
 * refusal (4xx) is a WorkerApiRefused carrying the control plane's own words.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { IngotError } from '../../errors/ingot-error.ts';

/** A refusal of the control plane (an IngotError, so the CLI prints it as one line). */
export class WorkerApiRefused extends IngotError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(
      status === 401 || status === 403
        ? 'AccessDeniedException'
        : status === 404
          ? 'ResourceNotFoundException'
          : 'InvalidRequestException',
      message,
    );
    this.status = status;
  }
}

export interface CallOptions {
  /** Give up (throw the last network error) after this long; default one try. */
  retryForMs?: number;
  /** Time limit of one try. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface WorkerApiClient {
  readonly base: string;
  post<T>(path: string, body: Record<string, unknown>, opts?: CallOptions): Promise<T | undefined>;
  get<T>(path: string, opts?: CallOptions): Promise<T>;
}

export function workerApiClient(controlPlane: string, token: string): WorkerApiClient {
  const base = controlPlane.replace(/\/+$/, '');
  const once = async (method: string, path: string, body: unknown, opts: CallOptions): Promise<Response> => {
    const signals = [AbortSignal.timeout(opts.timeoutMs ?? 30_000), ...(opts.signal ? [opts.signal] : [])];
    return fetch(`${base}/worker/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.any(signals),
    });
  };
  const request = async (method: string, path: string, body: unknown, opts: CallOptions = {}) => {
    const until = Date.now() + (opts.retryForMs ?? 0);
    for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
      let res: Response | undefined;
      let failure: unknown;
      try {
        res = await once(method, path, body, opts);
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        failure = err;
      }
      if (res && ![502, 503, 504].includes(res.status)) {
        if (res.status === 204) return undefined;
        const text = await res.text();
        const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        if (!res.ok)
          throw new WorkerApiRefused(res.status, String(parsed['error'] ?? `${res.status} ${res.statusText}`));
        return parsed;
      }
      if (Date.now() + delay > until)
        throw new IngotError(
          'ServiceUnavailableException',
          failure
            ? `cannot reach the control plane at ${base}: ${(failure as Error).cause ? String((failure as Error).cause) : String(failure)}`
            : `the control plane at ${base} answered ${res?.status} to ${path}`,
        );
      await sleep(delay);
    }
  };
  return {
    base,
    post: async (path, body, opts) => (await request('POST', path, body, opts)) as never,
    get: async (path, opts) => (await request('GET', path, undefined, opts)) as never,
  };
}
