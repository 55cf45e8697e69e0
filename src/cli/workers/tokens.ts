/**
 * @module `ingot workers token create|revoke|list`: each build host's own worker token, made and
 * revoked by an operator on the control plane's store (SQLite or INGOT_DATABASE_URL). The token is
 * printed once; the store keeps only its SHA-256.
 */
import { IngotError } from '../../errors/ingot-error.ts';

export const TOKEN_USAGE = `       ingot workers token create NAME
       ingot workers token revoke NAME
       ingot workers token list`;

const HELP = `the token commands are: ingot workers token create NAME | revoke NAME | list`;

export async function tokenCommand(args: readonly string[]): Promise<number> {
  const [action, name, ...extra] = args;
  if (!action || extra.length || (action !== 'list' && !name) || (action === 'list' && name))
    throw new IngotError('ValidationException', HELP);
  const { TOKEN_NAME, newWorkerToken } = await import('../../api/worker-api/auth.ts');
  if (name !== undefined && !TOKEN_NAME.test(name))
    throw new IngotError('ValidationException', `NAME must be 1-64 characters of A-Z a-z 0-9 . _ @ -, got '${name}'`);
  const { loadSettings } = await import('../../config/settings.ts');
  const { openStore } = await import('../../store/open.ts');
  const { DuplicateKeyError } = await import('../../store/types.ts');
  const store = await openStore(loadSettings(process.env));
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    if (action === 'create') {
      const { token, hash } = newWorkerToken(name!);
      try {
        await store.workerTokens.create({ name: name!, hash, createdAt: new Date().toISOString() });
      } catch (err) {
        if (err instanceof DuplicateKeyError)
          throw new IngotError(
            'ResourceAlreadyExistsException',
            `build host ${name} already has a token: revoke it first (ingot workers token revoke ${name})`,
          );
        throw err;
      }
      out(token);
      process.stderr.write(
        `the token of build host ${name}, shown only this once: give it to that host as INGOT_WORKER_TOKEN (or INGOT_WORKER_TOKEN_FILE); it acts as worker ${name}\n`,
      );
    } else if (action === 'revoke') {
      if (!(await store.workerTokens.revoke(name!)))
        throw new IngotError('ResourceNotFoundException', `build host ${name} has no token`);
      out(`revoked the token of build host ${name}: the worker API refuses it from now on`);
    } else if (action === 'list') {
      const tokens = await store.workerTokens.list();
      if (!tokens.length) out('no build host has its own token yet (ingot workers token create NAME)');
      else {
        out('NAME\tCREATED');
        for (const t of tokens) out(`${t.name}\t${t.createdAt}`);
      }
    } else throw new IngotError('ValidationException', HELP);
    return 0;
  } finally {
    await store.close();
  }
}
