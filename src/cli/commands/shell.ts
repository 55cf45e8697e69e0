/**
 * @module `ingot shell WORKDIR`: opens a shell in the instance of a failed `ingot build
 * --keep-on-failure`, with the failed component's changes in place, to see what went wrong.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot shell WORKDIR [-- COMMAND...]

Opens an interactive shell (or runs COMMAND) inside the instance of a build that failed with
--keep-on-failure: the parent and earlier layers below, the failed component's changes on top.
WORKDIR is the directory \`ingot build\` printed ("ingot shell ..."). Changes made in the shell
stay in that directory; delete it when done.`;

export const command: CommandModule = {
  summary: 'open a shell in a failed build kept with --keep-on-failure',
  usage,
  async run(argv) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {} });
    const [workDir, ...commandArgv] = positionals;
    if (!workDir)
      throw new IngotError(
        'ValidationException',
        'give the work directory that `ingot build --keep-on-failure` printed',
      );
    const text = await readFile(join(workDir, 'instance.json'), 'utf8').catch(() => {
      throw new IngotError(
        'ResourceNotFoundException',
        `${workDir} holds no kept build instance (instance.json); build with --keep-on-failure first`,
      );
    });
    const kept = JSON.parse(text) as { lowerDirs: string[]; upperDir: string; component: string };
    const { createSandboxInstance } = await import('../../instance/sandbox/index.ts');
    const { settingFromEnv } = await import('../../config/settings.ts');
    const instance = await createSandboxInstance({
      ingotHome: settingFromEnv('home', process.env),
      lowerDirs: kept.lowerDirs,
      upperDir: kept.upperDir,
      workDir: join(workDir, 'shell-work'),
      hostname: 'ingot-shell',
    });
    try {
      process.stderr.write(`ingot shell: in the instance where '${kept.component}' failed; exit to leave\n`);
      return await instance.interactive(commandArgv.length ? commandArgv : ['/bin/bash', '-l'], {
        TERM: process.env['TERM'] || 'xterm',
      });
    } finally {
      await instance.close();
    }
  },
};
