/** @module An image's build log as text (`ISO-TIMESTAMP MESSAGE` lines, as `ingot logs` prints it), read from the store. */
import { formatLogLine } from '../../src/services/logs/events.ts';
import type { Store } from '../../src/store/types.ts';

export async function buildLogText(store: Pick<Store, 'buildLogs'>, imageArn: string): Promise<string> {
  const lines = await store.buildLogs.read(imageArn, { limit: store.buildLogs.maxLines });
  return lines.map((l) => `${formatLogLine(l)}\n`).join('');
}
