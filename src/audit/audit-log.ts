/**
 * @module The audit log: every mutating API call (who: account and access key; what: operation
 * and resource ARN; when; from where; outcome) appended to the store by a wrapper around the
 * operation handlers. Read with `ingot audit`.
 */
import { IngotError } from '../errors/ingot-error.ts';
import type { Store } from '../store/types.ts';

const MUTATING = /^(Create|Update|Delete|Put|Start|Cancel|Tag|Untag|Import|Distribute|Retry|Send)/;

export const isMutating = (operation: string): boolean => MUTATING.test(operation);

export interface AuditedCall {
  operation: string;
  accountId: string;
  accessKeyId: string;
  sourceIp: string;
  requestId: string;
}

/** The ARN the call acted on: the output's first `...Arn` member (a created resource), else the input's. */
export function resourceArnOf(input: unknown, output: unknown): string | null {
  for (const value of [output, input]) {
    if (!value || typeof value !== 'object') continue;
    for (const [key, v] of Object.entries(value))
      if (/Arn$/.test(key) && typeof v === 'string' && v.startsWith('arn:')) return v;
    const source = (value as Record<string, unknown>)['sourceImage'];
    if (typeof source === 'string') return source;
  }
  return null;
}

export async function appendAudit(
  store: Store,
  call: AuditedCall,
  input: unknown,
  result: { output: unknown } | { error: unknown },
): Promise<void> {
  const outcome =
    'error' in result ? (result.error instanceof IngotError ? result.error.awsType : 'ServiceException') : 'success';
  await store.audit.append({
    at: new Date().toISOString(),
    accountId: call.accountId,
    accessKeyId: call.accessKeyId,
    operation: call.operation,
    resourceArn: resourceArnOf(input, 'output' in result ? result.output : undefined),
    sourceIp: call.sourceIp,
    outcome,
    requestId: call.requestId,
  });
}

/** Runs `fn` and records the call (success or the error type) when the operation changes something. */
export async function audited<O>(store: Store, call: AuditedCall, input: unknown, fn: () => Promise<O>): Promise<O> {
  if (!isMutating(call.operation)) return fn();
  try {
    const output = await fn();
    await appendAudit(store, call, input, { output });
    return output;
  } catch (error) {
    await appendAudit(store, call, input, { error }).catch(() => undefined);
    throw error;
  }
}

/**
 * For the server's request log: a mutating call refused before its handler ran (its input failed
 * validation) is audited too, with what is known (no access key, no resource ARN).
 */
export async function auditRefused(
  store: Store,
  log: {
    operation: string | undefined;
    accountId: string | undefined;
    sourceIp: string;
    requestId: string;
    errorType?: string;
  },
): Promise<void> {
  if (!log.operation || !log.errorType || !isMutating(log.operation)) return;
  if ((await store.audit.query({ requestId: log.requestId, limit: 1 })).length) return;
  await store.audit.append({
    at: new Date().toISOString(),
    accountId: log.accountId ?? null,
    accessKeyId: null,
    operation: log.operation,
    resourceArn: null,
    sourceIp: log.sourceIp,
    outcome: log.errorType,
    requestId: log.requestId,
  });
}
