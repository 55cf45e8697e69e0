/**
 * @module `ingot build FILE`: reads a recipe file into a BuildRequest. FILE may be the short YAML
 * form (`name`, `version`, `components: [{ name, version, uri }]`, optional `parentImage`), an
 * AWS CreateImageRecipe / CreateContainerRecipe request (the `--cli-input-json` shape), or a
 * bundle (the same with component documents inline as `data`, or a top-level `recipe:` plus
 * `documents:`). Container or image follows from the fields, as in the API.
 */
import { bootOptionsFromTags } from '../disk/boot-options.ts';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { IngotError } from '../errors/ingot-error.ts';
import { componentFromText } from '../engine/component-from-text.ts';
import { parseParentImage } from '../engine/parent-spec.ts';
import type { BuildComponent, BuildRequest } from '../engine/request.ts';
import type { BlockDeviceMapping } from '../disk/layout.ts';
import { resolveComponentRef, type StoredComponentLookup } from './component-refs.ts';

interface ComponentEntry {
  name?: string;
  version?: string;
  uri?: string;
  componentArn?: string;
  data?: string;
  parameters?: { name: string; value: string[] }[];
}

interface RecipeFile {
  name?: string;
  version?: string;
  semanticVersion?: string;
  parentImage?: string;
  components?: ComponentEntry[];
  dockerfileTemplateData?: string;
  targetRepository?: unknown;
  containerType?: string;
  workingDirectory?: string;
  blockDeviceMappings?: BlockDeviceMapping[];
  /** `ingot:boot-mode`, `ingot:cloud-init` (as on the API's image recipes). */
  tags?: Record<string, string>;
}

const fail = (file: string, message: string) => new IngotError('malformed', `${file}: ${message}`);

export interface LoadOptions {
  /** Looks up a component of the local Ingot store by ARN (when a store exists). */
  storedComponent?: StoredComponentLookup;
  runTests?: boolean;
  /** Told every file the recipe depends on, with its text (undefined: looked for and absent). */
  onRead?: (path: string, text: string | undefined) => void;
}

export async function loadRecipeFile(file: string, opts: LoadOptions = {}): Promise<BuildRequest> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw fail(file, `cannot read the recipe: ${(err as Error).message}`);
  });
  opts.onRead?.(resolve(file), text);
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML is a superset of JSON: both forms parse here.
  } catch (err) {
    throw fail(file, `not valid YAML or JSON: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw fail(file, 'a recipe is a mapping with at least `name` and `components`');
  const wrapper = raw as { recipe?: RecipeFile; documents?: Record<string, string> };
  const recipe = (wrapper.recipe ?? raw) as RecipeFile;
  const documents = wrapper.documents ?? {};
  const name = recipe.name;
  const version = recipe.semanticVersion ?? recipe.version ?? '1.0.0';
  if (typeof name !== 'string' || !name) throw fail(file, '`name` is required');
  if (!/^[0-9]+\.[0-9]+\.[0-9]+$/.test(version))
    throw fail(file, `version '${version}' is not <major>.<minor>.<patch>`);
  const base = dirname(resolve(file));
  const components: BuildComponent[] = [];
  for (const [i, entry] of (recipe.components ?? []).entries()) {
    const where = `components[${i}]`;
    const ref = entry.data !== undefined ? undefined : (entry.uri ?? entry.componentArn);
    const inline = entry.data ?? (ref !== undefined ? documents[ref] : undefined);
    const source =
      inline !== undefined
        ? { name: entry.name, version: entry.version ?? '1.0.0', text: inline, origin: `${file} ${where}` }
        : await resolveComponentRef(ref, {
            baseDir: base,
            where: `${file} ${where}`,
            entryName: entry.name,
            entryVersion: entry.version,
            ...(opts.storedComponent ? { stored: opts.storedComponent } : {}),
            ...(opts.onRead ? { onRead: opts.onRead } : {}),
          });
    components.push(componentFromText({ ...source, ...(entry.parameters ? { parameters: entry.parameters } : {}) }));
  }
  const isContainer =
    recipe.dockerfileTemplateData !== undefined ||
    recipe.targetRepository !== undefined ||
    recipe.containerType !== undefined;
  return {
    kind: isContainer ? 'container' : 'image',
    name,
    version,
    parent: await parseParentImage(recipe.parentImage),
    components,
    ...(recipe.dockerfileTemplateData !== undefined ? { dockerfileTemplate: recipe.dockerfileTemplateData } : {}),
    ...(recipe.workingDirectory !== undefined ? { workingDirectory: recipe.workingDirectory } : {}),
    ...(Array.isArray(recipe.blockDeviceMappings) ? { blockDeviceMappings: recipe.blockDeviceMappings } : {}),
    ...(isContainer ? {} : bootOptionsFromTags(recipe.tags, file)),
    runTests: opts.runTests ?? true,
  };
}
