/**
 * @module `nextToken`/`maxResults` pagination. Tokens are opaque to clients: a keyset position
 * bound to the operation that issued it, so a forged or foreign token is an
 * InvalidPaginationTokenException rather than a wrong page.
 */
import { IngotError } from '../../errors/ingot-error.ts';

export const DEFAULT_PAGE_SIZE = 25;

export function encodeToken(operation: string, after: string | undefined): string | undefined {
  if (after === undefined) return undefined;
  return Buffer.from(JSON.stringify({ o: operation, a: after }), 'utf8').toString('base64url');
}

export function decodeToken(operation: string, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; a?: unknown };
    if (parsed.o === operation && typeof parsed.a === 'string') return parsed.a;
  } catch {
    /* fall through */
  }
  throw new IngotError(
    'InvalidPaginationTokenException',
    `The pagination token is not valid for ${operation}. Use the nextToken from the previous ${operation} response.`,
  );
}

export function pageSize(maxResults: number | undefined): number {
  return maxResults ?? DEFAULT_PAGE_SIZE;
}
