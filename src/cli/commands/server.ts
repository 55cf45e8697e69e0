/**
 * @module `ingot server`: the Image Builder API on the embedded default (SQLite file store in
 * $INGOT_HOME), or on PostgreSQL (INGOT_DATABASE_URL) shared with other servers.
 */
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../server/config.ts';

const usage = `Usage: ingot server [--host HOST] [--port PORT] [--concurrency N] [--no-worker] [--quiet]

Serves the AWS EC2 Image Builder API (rest-json, SigV4) so that the aws CLI and the AWS SDKs
work against Ingot with --endpoint-url.

Options:
  --host HOST      address to listen on (default ${DEFAULT_HOST})
  --port PORT      port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --concurrency N  builds the in-process worker runs at once (default 1)
  --no-worker      do not build in this process (separate \`ingot worker\` processes do it)
  --quiet          do not log each request

Environment:
  INGOT_HOME               data directory (default ~/.ingot); the database is INGOT_HOME/ingot.db
  INGOT_DATABASE_URL       postgres://USER:PASSWORD@HOST:PORT/DB: the store in PostgreSQL instead,
                           shared by several servers and workers (give them one INGOT_SECRET_KEY)
  INGOT_ACCESS_KEY_ID      the default access key (with INGOT_SECRET_ACCESS_KEY); when both are
  INGOT_SECRET_ACCESS_KEY  unset, a key is generated once, stored and printed
  INGOT_ACCOUNT_ID         the default key's account (default 123456789012)
  INGOT_CONFIG             configuration file: sites, registries, webhooks
                           (default INGOT_HOME/config.json)
  INGOT_BASES_HOME         where managed Debian bases are cached (default INGOT_HOME)
  INGOT_CACHE_MAX_GIB      bound of the layer cache (default 20)
  INGOT_LAYER_CACHE_S3     s3://BUCKET[/PREFIX]: layers shared with other hosts through this
                           bucket of INGOT_S3_ENDPOINT (AWS_ACCESS_KEY_ID,
                           AWS_SECRET_ACCESS_KEY; default off)
  INGOT_BUILD_TIMEOUT_MINUTES, INGOT_BUILD_MAX_ATTEMPTS, INGOT_BUILD_LEASE_SECONDS,
  INGOT_SCHEDULER_INTERVAL_MS   build and scheduler settings (docs/pipelines.md)`;

export const command: CommandModule = {
  summary: 'serve the Image Builder API',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        quiet: { type: 'boolean' },
        concurrency: { type: 'string' },
        'no-worker': { type: 'boolean' },
      },
      strict: true,
    });
    const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new IngotError(
        'ValidationException',
        `--port must be a whole number from 0 to 65535, got '${values.port}'`,
      );
    const concurrency = Number(values.concurrency ?? 1);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
      throw new IngotError(
        'ValidationException',
        `--concurrency must be a whole number from 1 to 64, got '${values.concurrency}'`,
      );
    const { startServer } = await import('../../server/server.ts');
    const { loadSettings } = await import('../../config/settings.ts');
    const settings = loadSettings(process.env);
    const home = settings.home;
    const server = await startServer({
      home,
      settings,
      host: values.host ?? DEFAULT_HOST,
      port,
      worker: values['no-worker'] ? false : { concurrency },
      onError: (err) =>
        process.stderr.write(`ingot server: internal error: ${err instanceof Error ? err.stack : String(err)}\n`),
      ...(values.quiet
        ? {}
        : {
            onRequest: (l) =>
              process.stderr.write(
                `${new Date().toISOString()} ${l.sourceIp} ${l.operation ?? '-'} ${l.status}${l.errorType ? ` ${l.errorType}` : ''} ${l.durationMs.toFixed(1)}ms\n`,
              ),
          }),
    });
    const { credential, generated } = server.defaultCredential;
    process.stderr.write(`ingot server: data in ${home}\n`);
    if (generated) {
      process.stderr.write(
        `ingot server: generated an access key for account ${credential.accountId} (shown once; it is stored in ${home}/ingot.db):\n` +
          `  export AWS_ACCESS_KEY_ID=${credential.accessKeyId}\n  export AWS_SECRET_ACCESS_KEY=${credential.secretAccessKey}\n`,
      );
    }
    process.stderr.write(`ingot server: web console at ${server.url}/console/ (sign in with an access key)\n`);
    process.stdout.write(
      `ingot server listening on ${server.url}  (aws imagebuilder ... --endpoint-url ${server.url})\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
