/** @module Derives the image runtime config and the ordered build steps from parsed template instructions. */
import { posix } from 'node:path';
import type { ImageRuntimeConfig } from '../image/config.ts';
import { expandVariables } from './expand.ts';
import { templateError } from './lexer.ts';
import type { Instruction } from './parse.ts';
import { fillPlaceholders } from './placeholders.ts';

/** What a step runs with: the environment, directory and user in effect at that point of the template. */
export interface StepContext {
  line: number;
  env: string[];
  workdir: string;
  user: string;
}

export type BuildStep =
  | (StepContext & { kind: 'run'; argv: string[] })
  | (StepContext & { kind: 'copy' | 'add'; sources: string[]; dest: string; chown?: string; chmod?: string })
  /** Where the recipe's components run ({{{ imagebuilder:components }}}). */
  | (StepContext & { kind: 'components' })
  /** Where Image Builder sets up its build environment ({{{ imagebuilder:environments }}}). */
  | (StepContext & { kind: 'environments' });

export interface ContainerBuildPlan {
  /** The FROM image, with {{{ imagebuilder:parentImage }}} replaced when `parentImage` was given. */
  parentImage: string;
  usesParentImagePlaceholder: boolean;
  platform?: string;
  /** Config settings made by the template (apply over the parent's with `mergeRuntime`/`buildImageConfig`). */
  runtime: ImageRuntimeConfig;
  author?: string;
  steps: BuildStep[];
}

export interface DeriveOptions {
  /** Resolved parent image reference to put in place of the placeholder. */
  parentImage?: string;
  /** The parent image's config: its Env/WorkingDir/User are what the first steps see. */
  parentConfig?: ImageRuntimeConfig;
  buildArgs?: Record<string, string>;
}

function exposedPort(value: string, line: number): string {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i.exec(value);
  if (!m) throw templateError(line, `EXPOSE expects PORT[/tcp|udp|sctp] (got '${value}')`);
  return `${m[1]}${m[2] ? `-${m[2]}` : ''}/${(m[3] ?? 'tcp').toLowerCase()}`;
}

export function deriveContainerBuild(
  instructions: readonly Instruction[],
  opts: DeriveOptions = {},
): ContainerBuildPlan {
  const env = new Map(
    (opts.parentConfig?.Env ?? []).map((e) => [e.split('=', 1)[0]!, e.slice(e.indexOf('=') + 1)] as [string, string]),
  );
  const args = new Map<string, string>();
  const vars = (): Map<string, string> => new Map([...args, ...env]);
  const x = (text: string, line: number): string => expandVariables(text, vars(), line);
  let workdir = opts.parentConfig?.WorkingDir || '/';
  let user = opts.parentConfig?.User ?? '';
  let shell = ['/bin/sh', '-c'];
  const runtime: ImageRuntimeConfig = {};
  const plan: ContainerBuildPlan = { parentImage: '', usesParentImagePlaceholder: false, runtime, steps: [] };
  const ctx = (line: number): StepContext => ({ line, env: [...env].map(([k, v]) => `${k}=${v}`), workdir, user });
  for (const i of instructions) {
    switch (i.kind) {
      case 'FROM':
        plan.parentImage = x(
          fillPlaceholders(i.image, opts.parentImage ? { parentImage: opts.parentImage } : {}),
          i.line,
        );
        plan.usesParentImagePlaceholder = i.parentImagePlaceholder;
        if (i.platform) plan.platform = x(i.platform, i.line);
        break;
      case 'ARG':
        args.set(i.name, opts.buildArgs?.[i.name] ?? (i.defaultValue === undefined ? '' : x(i.defaultValue, i.line)));
        break;
      case 'placeholder':
        if (i.name === 'parentImage')
          throw templateError(i.line, '{{{ imagebuilder:parentImage }}} belongs in the FROM instruction');
        plan.steps.push({ ...ctx(i.line), kind: i.name });
        break;
      case 'ENV':
        for (const [k, v] of i.pairs) env.set(k, x(v, i.line));
        runtime.Env = [...env].map(([k, v]) => `${k}=${v}`);
        break;
      case 'LABEL':
        runtime.Labels = {
          ...runtime.Labels,
          ...Object.fromEntries(i.pairs.map(([k, v]) => [x(k, i.line), x(v, i.line)])),
        };
        break;
      case 'WORKDIR':
        workdir = posix.resolve(workdir, x(i.value, i.line));
        runtime.WorkingDir = workdir;
        break;
      case 'USER':
        user = x(i.value, i.line);
        runtime.User = user;
        break;
      case 'STOPSIGNAL':
        runtime.StopSignal = x(i.value, i.line);
        break;
      case 'MAINTAINER':
        plan.author = i.value;
        break;
      case 'SHELL':
        shell = i.args;
        break;
      case 'EXPOSE':
        runtime.ExposedPorts = {
          ...runtime.ExposedPorts,
          ...Object.fromEntries(i.values.map((v) => [exposedPort(x(v, i.line), i.line), {}])),
        };
        break;
      case 'VOLUME':
        runtime.Volumes = { ...runtime.Volumes, ...Object.fromEntries(i.values.map((v) => [x(v, i.line), {}])) };
        break;
      case 'ENTRYPOINT':
      case 'CMD': {
        const argv = i.form === 'exec' ? i.args : [...shell, i.args[0]!];
        if (i.kind === 'ENTRYPOINT') runtime.Entrypoint = argv;
        else runtime.Cmd = argv;
        break;
      }
      case 'RUN':
        plan.steps.push({ ...ctx(i.line), kind: 'run', argv: i.form === 'exec' ? i.args : [...shell, i.args[0]!] });
        break;
      case 'COPY':
      case 'ADD':
        plan.steps.push({
          ...ctx(i.line),
          kind: i.kind === 'COPY' ? 'copy' : 'add',
          sources: i.sources.map((s) => x(s, i.line)),
          dest: x(i.dest, i.line),
          ...(i.flags.chown ? { chown: x(i.flags.chown, i.line) } : {}),
          ...(i.flags.chmod ? { chmod: i.flags.chmod } : {}),
        });
        break;
    }
  }
  return plan;
}
