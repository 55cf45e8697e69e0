/**
 * @module The CloudWatch Logs subset on Ingot's endpoint: AWS JSON 1.1 (`POST /` with
 * `X-Amz-Target: Logs_20140328.OPERATION`, signed for service `logs`), answered from the build logs
 * in the store (services/logs). Errors are JSON 1.1 errors (`__type`, status 400; 500 for Ingot's own faults).
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type { ServiceContext } from '../../services/common/context.ts';
import {
  describeLogGroups,
  describeLogStreams,
  filterLogEvents,
  getLogEvents,
} from '../../services/logs/operations.ts';

export const LOGS_TARGET_PREFIX = 'Logs_20140328.';
export const LOGS_SIGNING_SERVICE = 'logs';

type LogsOperation = (ctx: ServiceContext, input: Record<string, unknown>) => Promise<unknown>;

const OPERATIONS: Record<string, LogsOperation> = {
  DescribeLogGroups: describeLogGroups,
  DescribeLogStreams: describeLogStreams,
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
};

export const isLogsRequest = (target: string | undefined): boolean => target?.startsWith(LOGS_TARGET_PREFIX) ?? false;

/** Runs one Logs operation; its result becomes the response body. */
export async function runLogsOperation(target: string, body: Uint8Array, ctx: ServiceContext): Promise<unknown> {
  const name = target.slice(LOGS_TARGET_PREFIX.length);
  const op = OPERATIONS[name];
  if (!op)
    throw new IngotError(
      'UnknownOperationException',
      `Ingot answers the Logs operations ${Object.keys(OPERATIONS).join(', ')}; not ${name.slice(0, 100)}.`,
    );
  let input: unknown;
  try {
    input = body.length ? JSON.parse(new TextDecoder().decode(body)) : {};
  } catch {
    throw new IngotError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new IngotError('SerializationException', 'The request body must be a JSON object.');
  return op(ctx, input as Record<string, unknown>);
}

/** A JSON 1.1 response (result or error). */
export function logsResponse(status: number, body: unknown, requestId: string): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
  });
}

/** Logs errors are 400s (client) or 500s, with the type in `__type`. */
export function logsErrorResponse(type: string, message: string, status: number, requestId: string): Response {
  return logsResponse(status >= 500 ? status : 400, { __type: type, message }, requestId);
}
