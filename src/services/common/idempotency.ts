/**
 * @module `clientToken` idempotency as AWS implements it: a retried request with the same token
 * and the same parameters gets the first response again; the same token with different
 * parameters is an IdempotentParameterMismatchException.
 */
import { createHash } from 'node:crypto';
import { IngotError } from '../../errors/ingot-error.ts';
import { OPERATIONS } from '../../model/generated/operations.ts';
import type { OperationName } from '../../model/generated/shapes.ts';
import { loadServiceModel } from '../../model/service-model.ts';
import type { ServiceContext } from './context.ts';

/** Whether the operation's output shape has a `requestId` member (DistributeImage's, for one, has not). */
function outputHasRequestId(operation: OperationName): boolean {
  const output = OPERATIONS[operation].output;
  const shape = output ? loadServiceModel().shapes[output] : undefined;
  return shape?.type === 'structure' && 'requestId' in shape.members;
}

/** The first answer again, with this request's requestId where the output shape has one. */
function replayOf<Out>(ctx: ServiceContext, operation: OperationName, response: unknown): Out {
  const { requestId: _first, ...rest } = response as Record<string, unknown>;
  return (outputHasRequestId(operation) ? { ...rest, requestId: ctx.requestId } : rest) as Out;
}

function requestHash(input: Record<string, unknown>): string {
  const { clientToken: _omit, ...rest } = input;
  return createHash('sha256').update(stableJson(rest)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export async function idempotent<Out>(
  ctx: ServiceContext,
  operation: OperationName,
  input: { clientToken?: string | undefined } & object,
  run: () => Promise<Out>,
): Promise<Out> {
  const token = input.clientToken;
  if (!token) return run();
  const scope = `${ctx.accountId}:${ctx.region}:${operation}`;
  const hash = requestHash(input as Record<string, unknown>);
  const replay = (seen: { requestHash: string; response: unknown }): Out => {
    if (seen.requestHash !== hash) {
      throw new IngotError(
        'IdempotentParameterMismatchException',
        `The client token '${token}' was already used for a ${operation} request with different parameters.`,
      );
    }
    return replayOf<Out>(ctx, operation, seen.response);
  };
  const seen = await ctx.store.idempotency.get(scope, token);
  if (seen) return replay(seen);
  return ctx.store.transaction(async () => {
    // Another server may be running the same token: wait for it, then answer as it did.
    await ctx.store.idempotency.lock(scope, token);
    const again = await ctx.store.idempotency.get(scope, token);
    if (again) return replay(again);
    const out = await run();
    await ctx.store.idempotency.put(scope, token, { requestHash: hash, response: out });
    return out;
  });
}
