/** @module `ingot toe validate|run`: check AWSTOE documents, or run them on this host or in a sandboxed root (like `awstoe`). */
import { settingFromEnv } from '../../config/settings.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import { UnsupportedInstanceError } from '../../instance/types.ts';
import type { Instance } from '../../instance/types.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot toe validate FILE...
       ingot toe run --documents FILE[,FILE...] [--phases build,validate,test]
                     [--parameters NAME=VALUE[,NAME=VALUE]]...
                     [--root DIR [--host-network]] [--output DIR] [--verbose]

validate   checks each document; prints one line per problem (FILE:LINE:COL: PATH: MESSAGE);
           exits 0 only when every document is valid.
run        runs the documents' phases in order and writes console.log, detailedoutput.json and
           chaining.json to the output directory; exits 1 when a step fails.

  --documents FILE,...    component documents (YAML or JSON); a managed component name also works
  --phases P,...          phases to run (default: all, in document order)
  --parameters N=V,...    parameter values (repeatable)
  --root DIR              run inside DIR (an in-place sandboxed chroot) instead of on this host
  --host-network          with --root: use the host's network (default: isolated, outbound only)
  --output DIR            where the run's files go (default: ./TOE_<time>_<execution id>)
  --verbose               also print every console line (command output)

S3Download/S3Upload use INGOT_S3_ENDPOINT with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_REGION.`;

/** Console lines the progress events already show. */
const STRUCTURE_LINE = /^(Document|Phase|Step) |^TOE has completed/;

async function validate(files: string[]): Promise<number> {
  if (files.length === 0) throw new IngotError('ValidationException', 'toe validate needs at least one FILE');
  const { parseComponentDocument, formatDocumentError } = await import('../../toe/document/index.ts');
  let bad = 0;
  for (const file of files) {
    const result = parseComponentDocument(readFileSync(file, 'utf8'), { fileName: file });
    if (result.ok) continue;
    bad++;
    for (const e of result.errors) process.stdout.write(`${formatDocumentError(file, e)}\n`);
  }
  process.stderr.write(`${files.length - bad} of ${files.length} document(s) valid\n`);
  return bad === 0 ? 0 : 1;
}

/** `a=1,b=2` (several flags allowed); a comma only splits before another NAME=. */
function parseParameters(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    for (const pair of value.split(/,(?=[A-Za-z0-9_-]+=)/)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new IngotError('ValidationException', `--parameters: '${pair}' is not NAME=VALUE`);
      out[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return out;
}

async function loadDocuments(refs: string[]) {
  const { parseComponentDocument, formatDocumentError } = await import('../../toe/document/index.ts');
  const { findManagedComponent } = await import('../../toe/managed/index.ts');
  return refs.map((ref) => {
    const managed = existsSync(ref) ? undefined : findManagedComponent(ref);
    if (!managed && !existsSync(ref))
      throw new IngotError('ValidationException', `no document file '${ref}' (and no managed component by that name)`);
    const text = managed ? managed.data : readFileSync(ref, 'utf8');
    const result = parseComponentDocument(text, { fileName: ref });
    if (!result.ok) {
      throw new IngotError('ValidationException', `${ref} is not a valid component document`, {
        description: result.errors.map((e) => formatDocumentError(ref, e)).join('\n  '),
      });
    }
    return { filePath: ref, document: result.document };
  });
}

async function openInstance(root: string | undefined, hostNetwork: boolean): Promise<Instance> {
  if (!root) {
    const { HostInstance } = await import('../../instance/host/host-instance.ts');
    return new HostInstance();
  }
  if (!existsSync(root)) throw new IngotError('ValidationException', `--root ${root} does not exist`);
  const { createSandboxInstance } = await import('../../instance/sandbox/index.ts');
  try {
    return await createSandboxInstance({
      ingotHome: settingFromEnv('home', process.env),
      rootDir: resolve(root),
      ...(hostNetwork ? { network: 'host' } : {}),
    });
  } catch (err) {
    if (err instanceof UnsupportedInstanceError)
      throw new IngotError('ValidationException', `--root needs the sandbox, which cannot run here: ${err.message}`);
    throw err;
  }
}

function s3FromEnv() {
  const endpoint = settingFromEnv('s3Endpoint', process.env);
  const accessKeyId = process.env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = process.env['AWS_SECRET_ACCESS_KEY'];
  if (!endpoint || !accessKeyId || !secretAccessKey) return {};
  return { s3: { endpoint, accessKeyId, secretAccessKey, region: process.env['AWS_REGION'] ?? 'us-east-1' } };
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      documents: { type: 'string', multiple: true },
      phases: { type: 'string' },
      parameters: { type: 'string', multiple: true },
      root: { type: 'string' },
      'host-network': { type: 'boolean' },
      output: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    },
    strict: true,
  });
  const refs = (values.documents ?? [])
    .flatMap((d) => d.split(','))
    .map((d) => d.trim())
    .filter(Boolean);
  if (refs.length === 0) throw new IngotError('ValidationException', 'toe run needs --documents FILE[,FILE...]');
  const documents = await loadDocuments(refs);
  const { PHASE_NAMES } = await import('../../toe/document/types.ts');
  const phases = values.phases
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = phases?.filter((p) => !(PHASE_NAMES as readonly string[]).includes(p)) ?? [];
  if (unknown.length)
    throw new IngotError(
      'ValidationException',
      `--phases: unknown phase ${unknown.join(', ')}; expected ${PHASE_NAMES.join(', ')}`,
    );
  const { randomUUID } = await import('node:crypto');
  const { runComponentDocuments, formatEvent } = await import('../../toe/executor/index.ts');
  const executionId = randomUUID();
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace('T', '_')
    .replace(/:/g, '-');
  const outputDir = resolve(values.output ?? join(process.cwd(), `TOE_${stamp}_UTC-0_${executionId}`));
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const instance = await openInstance(values.root, values['host-network'] === true);
  try {
    const output = await runComponentDocuments({
      instance,
      documents,
      executionId,
      outputDir,
      signal: controller.signal,
      ...s3FromEnv(),
      ...(phases ? { phases } : {}),
      parameters: parseParameters(values.parameters ?? []),
      onEvent: (event) => {
        const line =
          event.type !== 'log'
            ? formatEvent(event)
            : values.verbose && !STRUCTURE_LINE.test(event.line)
              ? `      ${event.line}`
              : undefined;
        if (line !== undefined) process.stdout.write(`${line}\n`);
      },
    });
    process.stdout.write(`Detailed output: ${join(outputDir, 'detailedoutput.json')}\n`);
    if (output.status === 'cancelled') return 130;
    return output.status === 'failed' ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await instance.close();
  }
}

export const command: CommandModule = {
  summary: 'validate or run AWSTOE component documents',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'validate') return validate(rest);
    if (sub === 'run') return run(rest);
    process.stderr.write(`ingot toe: expected 'validate' or 'run'${sub ? `, got '${sub}'` : ''}\n\n${usage}\n`);
    return 2;
  },
};
