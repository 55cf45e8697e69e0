/**
 * @module `ingot lifecycle run POLICY_ARN [--preview]`: runs a lifecycle policy now (the server
 * also runs every ENABLED policy daily), recording a lifecycle execution like the scheduled runs.
 */
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot lifecycle run POLICY_ARN [--preview]

Runs the lifecycle policy POLICY_ARN of this machine's Ingot ($INGOT_HOME) now: deprecates,
disables or deletes the images its rules select, in every region, and records a lifecycle
execution (see ListLifecycleExecutions / ListLifecycleExecutionResources).

  --preview   only record what the run would do (resources marked SKIPPED "preview: would ...")`;

export const command: CommandModule = {
  summary: 'run a lifecycle policy now (or preview it)',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { preview: { type: 'boolean' } },
    });
    const [action, arn] = positionals;
    if (action !== 'run' || !arn || positionals.length !== 2)
      throw new IngotError('ValidationException', 'usage: ingot lifecycle run POLICY_ARN [--preview]');
    const { openStore } = await import('../../store/open.ts');
    const { resolveSettings } = await import('../../config/settings.ts');
    const settings = resolveSettings(process.env);
    const { loadIngotConfig } = await import('../../config/ingot-config.ts');
    const { runLifecyclePolicy } = await import('../../lifecycle/run.ts');
    const home = settings.home;
    const store = await openStore(settings);
    try {
      const policy = await store.resources.get(arn);
      if (policy?.type !== 'lifecycle-policy')
        throw new IngotError('ResourceNotFoundException', `no lifecycle policy ${arn} in ${home}`);
      const executionId = await runLifecyclePolicy(
        { store, home, config: () => loadIngotConfig(settings.configFile) },
        policy as Parameters<typeof runLifecyclePolicy>[1],
        { preview: values.preview === true },
      );
      process.stdout.write(`${executionId}\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
