/**
 * @module `ingot audit`: prints the audit log of mutating API calls (who, what, when, from where,
 * outcome), optionally since a time and for one operation.
 */
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot audit [--since TIME] [--operation NAME] [--json]

Prints every mutating Image Builder API call recorded in $INGOT_HOME/ingot.db, oldest first:
time, account, access key, operation, resource ARN, source address, outcome.

Options:
  --since TIME       an ISO 8601 time (2026-11-25T06:00:00Z) or an age: 30m, 12h, 7d
  --operation NAME   only this operation (e.g. CreateImage)
  --json             one JSON object per line`;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseSince(text: string, now = Date.now()): string {
  const age = /^(\d+)([smhd])$/.exec(text);
  if (age) return new Date(now - Number(age[1]) * UNIT_MS[age[2]!]!).toISOString();
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new IngotError(
      'ValidationException',
      `--since must be an ISO 8601 time or an age like 30m, 12h, 7d; got '${text}'`,
    );
  return new Date(t).toISOString();
}

export const command: CommandModule = {
  summary: 'show the audit log of API changes',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { since: { type: 'string' }, operation: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    const { openStore } = await import('../../store/open.ts');
    const { resolveSettings } = await import('../../config/settings.ts');
    const store = await openStore(resolveSettings(process.env));
    try {
      const entries = await store.audit.query({
        ...(values.since !== undefined ? { since: parseSince(values.since) } : {}),
        ...(values.operation !== undefined ? { operation: values.operation } : {}),
      });
      for (const e of entries) {
        const line = values.json
          ? JSON.stringify(e)
          : [
              e.at,
              e.accountId ?? '-',
              e.accessKeyId ?? '-',
              e.operation,
              e.resourceArn ?? '-',
              e.sourceIp ?? '-',
              e.outcome,
            ].join('\t');
        process.stdout.write(`${line}\n`);
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
