/**
 * @module The `ingot` command line: a thin dispatcher. Each verb lives in
 * `src/cli/commands/<verb>.ts` and is imported only when used.
 */
import { IngotError } from '../errors/ingot-error.ts';
import type { CommandModule } from './command.ts';

/** Every verb, with its one-line summary (shown without loading the command's code). */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  server: { summary: 'serve the Image Builder API', load: () => import('./commands/server.ts').then((m) => m.command) },
  build: {
    summary: 'build a recipe locally, without a server',
    load: () => import('./commands/build.ts').then((m) => m.command),
  },
  'import-disk': {
    summary: 'turn a raw/qcow2/vmdk/vhdx/vhd disk into a parentImage rootfs tarball',
    load: () => import('./commands/import-disk.ts').then((m) => m.command),
  },
  shell: {
    summary: 'open a shell in a failed build kept with --keep-on-failure',
    load: () => import('./commands/shell.ts').then((m) => m.command),
  },
  run: {
    summary: 'boot a built disk image under qemu and open an SSH session (or run a command)',
    load: () => import('./commands/run.ts').then((m) => m.command),
  },
  logs: {
    summary: 'print (and follow) an image build log',
    load: () => import('./commands/logs.ts').then((m) => m.command),
  },
  lifecycle: {
    summary: 'run a lifecycle policy now (or preview it)',
    load: () => import('./commands/lifecycle.ts').then((m) => m.command),
  },
  bases: {
    summary: 'list or refresh the managed Debian base images',
    load: () => import('./commands/bases.ts').then((m) => m.command),
  },
  credentials: {
    summary: 'list or create API access keys',
    load: () => import('./commands/credentials.ts').then((m) => m.command),
  },
  worker: {
    summary: 'run builds in a separate worker process, here or on a build host',
    load: () => import('./commands/worker.ts').then((m) => m.command),
  },
  workers: {
    summary: 'list the build hosts of the farm and what each runs',
    load: () => import('./commands/workers.ts').then((m) => m.command),
  },
  audit: {
    summary: 'show the audit log of API changes',
    load: () => import('./commands/audit.ts').then((m) => m.command),
  },
  toe: {
    summary: 'validate or run AWSTOE component documents',
    load: () => import('./commands/toe.ts').then((m) => m.command),
  },
  verify: {
    summary: 'verify signatures and checksums of an output or OCI image',
    load: () => import('./commands/verify.ts').then((m) => m.command),
  },
};

function mainHelp(): string {
  return [
    'Usage: ingot <command> [options]',
    '',
    'Ingot: a self-hosted golden-image factory that speaks the EC2 Image Builder API.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`),
    '',
    'Run `ingot <command> --help` for the options of one command.',
    'Data directory: $INGOT_HOME (default ~/.ingot).',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(`${mainHelp()}\n`);
    return verb ? 0 : 2;
  }
  const entry = COMMANDS[verb];
  if (!entry) {
    process.stderr.write(`ingot: unknown command '${verb}'\n\n${mainHelp()}\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof IngotError) {
      process.stderr.write(`ingot ${verb}: ${err.toCliLine()}\n`);
      return 1;
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`ingot ${verb}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`ingot ${verb}: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
    return 1;
  }
}

/**
 * A reader that went away (`ingot audit | head`) ends the command quietly, as it does for other
 * Unix tools, instead of an EPIPE stack trace. A command that cleans up on SIGTERM (a build, whose
 * sandbox mounts must go) is cancelled the same way instead, and the rest of its output is dropped.
 */
export function endQuietlyOnBrokenPipe(): void {
  let broken = false;
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      if (broken) return;
      broken = true;
      if (process.listenerCount('SIGTERM') === 0) process.exit(process.exitCode ?? 0);
      for (const s of [process.stdout, process.stderr]) s.write = () => true;
      process.emit('SIGTERM', 'SIGTERM');
    });
}

/**
 * Under nohup SIGHUP was ignored when `bin/ingot` started, but Node sets it back to its default (end
 * the process) at start-up; bin/ingot passes on that it was ignored, and a listener that does nothing
 * keeps a hang-up from ending `nohup ingot server` (or a build) again.
 */
export function keepSighupIgnored(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['INGOT_SIGHUP_IGNORED'] !== '1') return false;
  process.on('SIGHUP', () => {});
  return true;
}

if (import.meta.main) {
  keepSighupIgnored();
  endQuietlyOnBrokenPipe();
  process.exitCode = await main(process.argv.slice(2));
}
