/**
 * @module `ingot credentials`: list the access keys of this Ingot, or create one for an account
 * (another account id gives a separate tenant, as in AWS).
 */
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot credentials list
       ingot credentials create [--account-id ID]

Manages the access keys the API accepts (stored in $INGOT_HOME/ingot.db).

  list                 print every access key id and its account
  create               make a new key; prints it as shell exports (the secret is shown once)
  --account-id ID      the 12-digit account the key belongs to
                       (default: $INGOT_ACCOUNT_ID or 123456789012)`;

export const command: CommandModule = {
  summary: 'list or create API access keys',
  usage,
  async run(argv) {
    const { positionals, values } = parseArgs({
      args: argv,
      options: { 'account-id': { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const [action] = positionals;
    const { openStore } = await import('../../store/open.ts');
    const { resolveSettings } = await import('../../config/settings.ts');
    const settings = resolveSettings(process.env);
    const { generateCredential } = await import('../../server/credentials.ts');
    const store = await openStore(settings);
    try {
      if (action === 'list') {
        for (const c of await store.credentials.list()) process.stdout.write(`${c.accessKeyId}\t${c.accountId}\n`);
        return 0;
      }
      if (action === 'create') {
        const accountId = values['account-id'] ?? settings.accountId;
        if (!/^[0-9]{12}$/.test(accountId))
          throw new IngotError('ValidationException', `--account-id must be 12 digits, got '${accountId}'`);
        const c = generateCredential(accountId);
        await store.credentials.put(c);
        process.stdout.write(
          `export AWS_ACCESS_KEY_ID=${c.accessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}\n# account ${c.accountId}\n`,
        );
        return 0;
      }
      process.stderr.write(`${usage}\n`);
      return 2;
    } finally {
      await store.close();
    }
  },
};
