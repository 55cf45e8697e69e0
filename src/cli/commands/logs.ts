/**
 * @module `ingot logs IMAGE [--follow]`: prints an image build's log from the store (this machine's
 * data directory, or the shared database); with --follow, keeps printing until the build ends.
 */
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot logs IMAGE_BUILD_VERSION_ARN [--follow]

Prints the build log of an image from the store ($INGOT_HOME's database, or INGOT_DATABASE_URL's
when the servers share one): every stage, component, step and line of output, as the worker wrote
them, whichever server's worker or build host ran the build.

  --follow, -f   keep printing new lines until the image is AVAILABLE, FAILED or CANCELLED`;

export const command: CommandModule = {
  summary: 'print (and follow) an image build log',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { follow: { type: 'boolean', short: 'f' } },
    });
    const arn = positionals[0];
    if (!arn || positionals.length > 1)
      throw new IngotError(
        'ValidationException',
        'give one image build version ARN (arn:aws:imagebuilder:REGION:ACCOUNT:image/NAME/VERSION/BUILD)',
      );
    const { tryParseArn } = await import('../../arn/arn.ts');
    const parsed = tryParseArn(arn);
    if (parsed?.type !== 'image' || parsed.build === undefined)
      throw new IngotError(
        'ValidationException',
        `'${arn}' is not an image build version ARN (…:image/NAME/VERSION/BUILD)`,
      );
    const { followLog } = await import('../logs/follow-log.ts');
    const { resolveSettings } = await import('../../config/settings.ts');
    return followLog(resolveSettings(process.env).home, arn, values.follow === true);
  },
};
