/** @module The Image Builder HTTP API as a Hono app: SigV4 auth, rest-json routing/validation, handlers. */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { IngotError } from '../errors/ingot-error.ts';
import type { OperationInput, OperationName, OperationOutput } from '../model/generated/shapes.ts';
import { type LookupSecret, verifySigV4 } from './auth/verify-request.ts';
import {
  isLogsRequest,
  LOGS_SIGNING_SERVICE,
  LOGS_TARGET_PREFIX,
  logsErrorResponse,
  logsResponse,
} from './logs/json-protocol.ts';
import { RestJsonCodec } from './protocol/codec.ts';
import { DEFAULT_MAX_BODY_BYTES, readRawRequest, sourceIpOf } from './protocol/raw-request.ts';
import { parseQueryStrict } from './protocol/query-string.ts';
import { errorResponse, ProtocolError, toWireError } from './protocol/wire-errors.ts';

export type { LookupSecret, SecretRecord } from './auth/verify-request.ts';

export interface RequestContext {
  accountId: string;
  region: string;
  requestId: string;
  accessKeyId: string;
  sourceIp: string;
  operation: OperationName;
}

export type OperationHandler<K extends OperationName> = (
  input: OperationInput<K>,
  ctx: RequestContext,
) => Promise<OperationOutput<K>>;
export type OperationHandlers = Partial<{ [K in OperationName]: OperationHandler<K> }>;

export interface RequestLog {
  operation: OperationName | undefined;
  /** Set for CloudWatch Logs requests (`Logs_20140328.*` targets), which answer in JSON 1.1. */
  logsOperation?: string;
  status: number;
  durationMs: number;
  accountId: string | undefined;
  sourceIp: string;
  requestId: string;
  errorType?: string;
}

/** Answers one CloudWatch Logs operation (api/logs/) for an authenticated caller. */
export type LogsHandler = (
  target: string,
  body: Uint8Array,
  caller: { accountId: string; region: string; requestId: string },
) => Promise<unknown>;

export interface ApiAppOptions {
  handlers: OperationHandlers;
  /** The CloudWatch Logs subset over build logs; without it Logs requests are unknown operations. */
  logs?: LogsHandler;
  lookupSecret: LookupSecret;
  onRequest?: (log: RequestLog) => void;
  /** Called with every unexpected error (rendered as a 500 "Internal service error", no detail to the client). */
  onError?: (err: unknown, log: RequestLog) => void;
  /** Check handler outputs against the output shape (tests); a violation becomes a 500. */
  validateOutputs?: boolean;
  maxBodyBytes?: number;
  /** Clock used for the SigV4 skew check (tests). */
  now?: () => Date;
}

type AnyHandler = (input: unknown, ctx: RequestContext) => Promise<unknown>;

function callSafely(fn: () => void): void {
  try {
    fn();
  } catch {
    // a logging callback must never turn a response into a crash
  }
}

/** Errors worth a log line: anything that is not a deliberate IngotError/ProtocolError, and ServiceExceptions. */
function isUnexpected(err: unknown): boolean {
  if (err instanceof ProtocolError) return false;
  return !(err instanceof IngotError) || err.awsType === 'ServiceException';
}

/** An output that breaks its shape is Ingot's bug: a 500 (with the details for onError), never a 400. */
function checkOutput(codec: RestJsonCodec, operation: OperationName, output: unknown): void {
  try {
    codec.validateOutput(operation, output);
  } catch (err) {
    throw new Error(`handler output of ${operation} does not match its output shape: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export function createApiApp(opts: ApiAppOptions): Hono {
  const codec = new RestJsonCodec();
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  async function serve(c: Context, requestId: string, log: RequestLog): Promise<Response> {
    const raw = await readRawRequest(c, maxBodyBytes);
    const target = raw.header('x-amz-target');
    const logs = isLogsRequest(target);
    if (logs) log.logsOperation = target!.slice(LOGS_TARGET_PREFIX.length, LOGS_TARGET_PREFIX.length + 100);
    const identity = await verifySigV4(raw, opts.lookupSecret, opts.now?.(), logs ? LOGS_SIGNING_SERVICE : undefined);
    log.accountId = identity.accountId;
    if (logs) {
      if (!opts.logs) throw new IngotError('UnknownOperationException', 'This server answers no Logs operations.');
      const output = await opts.logs(target!, raw.body, { ...identity, requestId });
      return logsResponse(200, output, requestId);
    }
    const route = codec.routes.match(raw.method, raw.rawPath);
    if (!route) {
      throw new IngotError(
        'UnknownOperationException',
        `No Image Builder operation matches ${raw.method} ${raw.rawPath.slice(0, 200)}`,
      );
    }
    const operation = route.operation;
    log.operation = operation;
    const input = codec.parseInput(operation, {
      rawLabels: route.rawLabels,
      // A presigned request's X-Amz-* parameters are its signature, not the operation's input.
      query: parseQueryStrict(raw.rawQuery).filter((p) => !/^x-amz-/i.test(p.key)),
      header: raw.header,
      body: raw.body,
    });
    const handler = opts.handlers[operation] as AnyHandler | undefined;
    if (!handler) throw new IngotError('NotImplementedException', `Operation ${operation} is not implemented by Ingot`);
    const ctx: RequestContext = { ...identity, requestId, sourceIp: raw.sourceIp, operation };
    const output = await handler(input, ctx);
    if (opts.validateOutputs) checkOutput(codec, operation, output);
    return codec.outputResponse(operation, output, requestId);
  }

  async function handle(c: Context): Promise<Response> {
    const started = performance.now();
    const requestId = randomUUID();
    const log: RequestLog = {
      operation: undefined,
      status: 0,
      durationMs: 0,
      accountId: undefined,
      sourceIp: sourceIpOf(c),
      requestId,
    };
    let response: Response;
    try {
      response = await serve(c, requestId, log);
    } catch (err) {
      const wire = toWireError(err);
      if (isUnexpected(err)) {
        callSafely(() => opts.onError?.(err, log));
      }
      log.errorType = wire.type;
      response = log.logsOperation
        ? logsErrorResponse(wire.type, wire.message, wire.status, requestId)
        : errorResponse(wire, requestId);
    }
    log.status = response.status;
    log.durationMs = performance.now() - started;
    callSafely(() => opts.onRequest?.(log));
    return response;
  }

  const app = new Hono();
  app.all('*', handle);
  app.onError((err) => {
    callSafely(() =>
      opts.onError?.(err, {
        operation: undefined,
        status: 500,
        durationMs: 0,
        accountId: undefined,
        sourceIp: '',
        requestId: '',
      }),
    );
    return errorResponse(toWireError(undefined), randomUUID());
  });
  return app;
}
