/**
 * @module `ingot workers`: the farm's build hosts as the control plane last saw them: id, labels,
 * last poll or heartbeat, and the jobs each holds now; `ingot workers token …` manages each build
 * host's own worker token.
 */
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';
import { TOKEN_USAGE, tokenCommand } from '../workers/tokens.ts';

const usage = `Usage: ingot workers [--control-plane URL] [--json]
${TOKEN_USAGE}

Lists the build hosts (\`ingot worker --control-plane\`) that polled this control plane: id,
architecture, KVM, free disk, instance types, last seen, and the job(s) each runs now.
Reads the store ($INGOT_HOME/ingot.db or INGOT_DATABASE_URL), or with --control-plane asks that
server's worker API (INGOT_WORKER_TOKEN needed).

\`token create NAME\` makes build host NAME's own worker token and prints it once (the store keeps
only its hash); that host presents it as INGOT_WORKER_TOKEN and may act only as worker NAME.
\`token revoke NAME\` ends it at once; \`token list\` shows the names and dates.

Options:
  --control-plane URL   ask this server instead of the local database
  --json                one JSON object per line`;

interface Listed {
  id: string;
  labels: Record<string, unknown>;
  lastSeen: string;
  jobs: { id: string; resourceArn: string }[];
}

export const command: CommandModule = {
  summary: 'list the build hosts of the farm and what each runs',
  usage,
  async run(argv) {
    if (argv[0] === 'token') return tokenCommand(argv.slice(1));
    const { values } = parseArgs({
      args: argv,
      options: { 'control-plane': { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    const { loadSettings, workerToken } = await import('../../config/settings.ts');
    const settings = loadSettings(process.env);
    let workers: Listed[];
    const controlPlane = values['control-plane'];
    if (controlPlane) {
      if (!/^https?:\/\/[^/]+/.test(controlPlane))
        throw new IngotError('ValidationException', `--control-plane must be an http(s) URL, got '${controlPlane}'`);
      const token = workerToken(settings);
      if (!token) throw new IngotError('invalid-config', 'set INGOT_WORKER_TOKEN (or _FILE) to ask a control plane');
      const { workerApiClient } = await import('../../worker/remote/client.ts');
      workers = (await workerApiClient(controlPlane, token).get<{ workers: Listed[] }>('/workers')).workers;
    } else {
      const { openStore } = await import('../../store/open.ts');
      const { listWorkers } = await import('../../api/worker-api/app.ts');
      const store = await openStore(settings);
      try {
        workers = await listWorkers(store);
      } finally {
        await store.close();
      }
    }
    if (values.json) {
      for (const w of workers) process.stdout.write(`${JSON.stringify(w)}\n`);
      return 0;
    }
    if (!workers.length) {
      process.stdout.write('no build host has polled this control plane yet\n');
      return 0;
    }
    const now = Date.now();
    process.stdout.write('WORKER\tARCH\tKVM\tFREE GiB\tLAST SEEN\tRUNNING\tINSTANCE TYPES\n');
    for (const w of workers) {
      const l = w.labels;
      const age = Math.max(0, Math.round((now - Date.parse(w.lastSeen)) / 1000));
      const types = Array.isArray(l['instanceTypes']) ? (l['instanceTypes'] as string[]).join(',') : '-';
      const running = w.jobs.map((j) => `${j.resourceArn} (job ${j.id})`).join(', ') || 'idle';
      process.stdout.write(
        `${w.id}\t${String(l['arch'] ?? '-')}\t${l['kvm'] ? 'yes' : 'no'}\t${String(l['freeGib'] ?? '-')}\t${age}s ago\t${running}\t${types}\n`,
      );
    }
    return 0;
  },
};
