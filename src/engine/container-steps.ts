/**
 * @module A container recipe's Dockerfile template: its image config (ENTRYPOINT, CMD, ENV...)
 * and its RUN lines, which become build steps around the recipe's components at the
 * `{{{ imagebuilder:components }}}` placeholder.
 */
import { IngotError } from '../errors/ingot-error.ts';
import type { ImageRuntimeConfig } from '../oci/image/config.ts';
import { deriveContainerBuild } from '../oci/dockerfile/derive.ts';
import { parseDockerfileTemplate } from '../oci/dockerfile/parse.ts';
import { parseComponentDocument } from '../toe/document/index.ts';
import type { BuildComponent } from './request.ts';

export interface ContainerSteps {
  runtime: ImageRuntimeConfig;
  /** The recipe's components with the template's RUN lines in their place. */
  components: BuildComponent[];
}

function runLineComponent(
  line: number,
  argv: readonly string[],
  env: readonly string[],
  workdir: string,
  user: string,
): BuildComponent {
  const prefix = user && user !== 'root' && user !== '0' ? ['runuser', '-u', user, '--'] : [];
  const command = ['env', '-C', workdir || '/', ...env, ...prefix, ...argv];
  const text = [
    `name: dockerfile-line-${line}`,
    'schemaVersion: 1.0',
    'phases:',
    '  - name: build',
    '    steps:',
    '      - name: Run',
    '        action: ExecuteBinary',
    '        inputs:',
    `          path: ${JSON.stringify(command[0])}`,
    `          arguments: ${JSON.stringify(command.slice(1))}`,
    '',
  ].join('\n');
  const parsed = parseComponentDocument(text);
  if (!parsed.ok)
    throw new IngotError(
      'invalid-input',
      `Dockerfile template line ${line}: cannot run this RUN line: ${parsed.errors[0]?.message}`,
    );
  return { name: `dockerfile line ${line}`, version: '1.0.0', text, document: parsed.document, parameters: {} };
}

export function containerSteps(template: string, components: readonly BuildComponent[]): ContainerSteps {
  const plan = deriveContainerBuild(parseDockerfileTemplate(template));
  const out: BuildComponent[] = [];
  let placed = false;
  for (const step of plan.steps) {
    if (step.kind === 'components') {
      out.push(...components);
      placed = true;
    } else if (step.kind === 'run') {
      out.push(runLineComponent(step.line, step.argv, step.env, step.workdir, step.user));
    } else if (step.kind === 'copy' || step.kind === 'add') {
      throw new IngotError(
        'invalid-input',
        `Dockerfile template line ${step.line}: ${step.kind.toUpperCase()} needs a build context, which container recipes do not have; use a component (CreateFile, WebDownload, S3Download) instead.`,
      );
    }
  }
  if (!placed) out.push(...components);
  return { runtime: plan.runtime, components: out };
}
