/**
 * @module `ingot shell WORKDIR`: opens a shell in the instance of a failed `ingot build
 * --keep-on-failure`, with the failed component's changes in place, to see what went wrong: a
 * sandbox over the kept layers, or, for a build in a qemu build instance, the VM's disk as it
 * was when the component failed, booted again (as `ingot run` boots an image).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FailedInstance } from '../../engine/layer-stack.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot shell WORKDIR [-- COMMAND...]

Opens an interactive shell (or runs COMMAND) inside the instance of a build that failed with
--keep-on-failure, the failed component's changes in place. WORKDIR is the directory
\`ingot build\` printed ("ingot shell ...").

A sandbox build: the parent and earlier layers below, the failed component's changes on top;
changes made in the shell stay in WORKDIR. A build in a qemu build instance (ingot.vm.* types,
or components that need systemd): the VM's disk as it was when the component failed is booted
again under qemu (2 vCPU, 2048 MiB; your ~/.ssh/id_*.pub is authorized, as with \`ingot run\`),
and what the shell changes is discarded when you leave. Delete WORKDIR when done.`;

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
    const kept = JSON.parse(text) as FailedInstance;
    if (kept.kind === 'qemu') return shellInVm(kept, commandArgv);
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

async function shellInVm(kept: Extract<FailedInstance, { kind: 'qemu' }>, commandArgv: string[]): Promise<number> {
  const { rm } = await import('node:fs/promises');
  const { settingFromEnv } = await import('../../config/settings.ts');
  const { userSshKey } = await import('../run/keys.ts');
  const { bootAndAttach } = await import('../run/session.ts');
  const { makeScratch, reapStaleScratch } = await import('../run/scratch.ts');
  await reapStaleScratch().catch(() => []);
  const scratch = await makeScratch('ingot-shell-');
  try {
    process.stderr.write(`ingot shell: booting the VM where '${kept.component}' failed; exit to leave\n`);
    return await bootAndAttach({
      target: { disk: kept.disk, qemuFormat: 'qcow2', label: `the failed build VM of '${kept.component}'` },
      workDir: scratch,
      key: await userSshKey(undefined),
      forwards: [],
      cpus: 2,
      memoryMiB: 2048,
      accel: settingFromEnv('qemuAccel', process.env),
      command: commandArgv.length ? commandArgv.join(' ') : undefined,
      hostname: 'ingot-shell',
      who: 'ingot shell',
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
