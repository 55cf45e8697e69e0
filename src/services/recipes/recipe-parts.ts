/**
 * @module What image and container recipes share: their components (each resolved, parameters
 * checked against the component's document), their parent image, and their version (a plain
 * semantic version, or one with `x` nodes that takes the next free version).
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type { Component, ComponentConfiguration, Image } from '../../model/generated/shapes.ts';
import {
  compareVersions,
  formatVersion,
  isWildcard,
  matches,
  parseVersion,
  parseVersionPattern,
} from '../../versions/semver.ts';
import { arnOf, readResource } from '../common/access.ts';
import { nowIso, type ServiceContext } from '../common/context.ts';
import { insertResource } from '../common/crud.ts';
import type { ResourceType } from '../../store/types.ts';
import { arnName } from '../../arn/arn.ts';
import { MANAGED_BASES } from '../../bases/catalogue.ts';
import { baseForSsmParameter, unsupportedParentHint } from '../../bases/parent-refs.ts';

/** Resolves every component of a recipe; returns the builds they resolved to now. */
export async function checkRecipeComponents(
  ctx: ServiceContext,
  components: readonly ComponentConfiguration[] | undefined,
): Promise<{ arn: string; doc: Component }[]> {
  const resolved: { arn: string; doc: Component }[] = [];
  for (const [i, c] of (components ?? []).entries()) {
    const field = `components[${i}].componentArn`;
    const record = await readResource<Component>(ctx, c.componentArn, field, 'component');
    checkParameters(record.doc, c, `components[${i}].parameters`);
    resolved.push({ arn: record.arn, doc: record.doc });
  }
  return resolved;
}

/**
 * A component's `supportedOsVersions` must match the parent image's OS version, when both are
 * known: AWS's prefix match (`Debian` or `Debian 12` support `Debian 12`).
 */
function checkSupportedOs(components: readonly { doc: Component }[], osVersion: string | undefined): void {
  if (!osVersion) return;
  for (const [i, { doc }] of components.entries()) {
    const supported = doc.supportedOsVersions ?? [];
    if (supported.length && !supported.some((v) => osVersion.startsWith(v)))
      throw new IngotError(
        'InvalidParameterValueException',
        `components[${i}]: the component '${doc.name}' supports ${supported.map((v) => `'${v}'`).join(', ')}, not the parent image's OS '${osVersion}'.`,
      );
  }
}

function checkParameters(component: Component, config: ComponentConfiguration, field: string): void {
  const declared = new Map((component.parameters ?? []).map((p) => [p.name, p]));
  const given = new Set<string>();
  for (const p of config.parameters ?? []) {
    if (!declared.has(p.name)) {
      const known = [...declared.keys()];
      throw new IngotError(
        'InvalidParameterValueException',
        `${field}: the component '${component.name}' has no parameter '${p.name}'${known.length ? ` (it has: ${known.join(', ')})` : ' (it takes none)'}.`,
      );
    }
    given.add(p.name);
  }
  for (const [name, p] of declared) {
    if (!given.has(name) && !p.defaultValue) {
      throw new IngotError(
        'InvalidParameterValueException',
        `${field}: the component '${component.name}' needs a value for its parameter '${name}', which has no default.`,
      );
    }
  }
}

/** Parent image forms Ingot can build from, besides an image ARN and a managed base name. */
const PARENT_FORMS = /^(\/.+|file:\/\/.+|oci:.+|oci-archive:.+)$/;

/**
 * Checks a recipe's parentImage. Returns the image build it names exactly (an ARN with a build
 * number), to record as a reference that blocks deleting that build; a version or wildcard ARN
 * pins nothing, since each build takes the newest matching build then.
 */
export async function checkParentImage(
  ctx: ServiceContext,
  parentImage: string,
): Promise<{ platform: string; osVersion?: string; resolvedArn?: string }> {
  if (parentImage.startsWith('arn:')) {
    const record = await readResource<Image>(ctx, parentImage, 'parentImage', 'image');
    const exact = record.arn === parentImage;
    return {
      platform: record.doc.platform ?? 'Linux',
      ...(record.doc.osVersion ? { osVersion: record.doc.osVersion } : {}),
      ...(exact ? { resolvedArn: record.arn } : {}),
    };
  }
  const managed = MANAGED_BASES.find((b) => b.name === (baseForSsmParameter(parentImage) ?? parentImage));
  if (managed) return { platform: 'Linux', osVersion: managed.osVersion };
  const hint = unsupportedParentHint(parentImage);
  if (hint) throw new IngotError('InvalidParameterValueException', hint);
  if (!PARENT_FORMS.test(parentImage)) {
    throw new IngotError(
      'InvalidParameterValueException',
      `The value supplied for parameter 'parentImage' is not valid: '${parentImage}'. Use an image ARN (for example arn:aws:imagebuilder:${ctx.region}:aws:image/debian-12-x86/x.x.x), a managed base name (debian-12, debian-13, debian-12-minimal), an absolute path to a rootfs tarball, or oci:PATH[:TAG] / oci-archive:PATH[:TAG].`,
    );
  }
  return { platform: 'Linux' };
}

/** The version a new recipe gets: as given, or with `x` nodes filled in with the next free version. */
export async function recipeVersion(
  ctx: ServiceContext,
  type: ResourceType,
  name: string,
  requested: string,
): Promise<string> {
  if (!isWildcard(requested)) return formatVersion(parseVersion(requested));
  const pattern = parseVersionPattern(requested);
  const existing = (await ctx.store.resources.versions(type, [ctx.accountId], ctx.region, arnName(name)))
    .map((v) => parseVersion(v.version))
    .filter((v) => matches(v, pattern))
    .sort(compareVersions);
  const newest = existing.at(-1);
  const filled = pattern.map((n) => n ?? 0) as [number, number, number];
  if (!newest) return formatVersion(filled);
  const bumpAt = pattern.indexOf(null);
  const next: [number, number, number] = [newest[0], newest[1], newest[2]];
  next[bumpAt] = newest[bumpAt]! + 1;
  for (let i = bumpAt + 1; i < 3; i++) next[i] = 0;
  return formatVersion(next);
}

/** What every new recipe has, whatever its kind. */
export interface RecipeBasics {
  arn: string;
  version: string;
  platform: string;
  owner: string;
  dateCreated: string;
}

/**
 * Creates a recipe: resolves its version, components and parent, builds the stored document with
 * `docOf`, and stores it with references to what it uses. Returns the recipe's ARN.
 */
export async function storeRecipe<Doc>(
  ctx: ServiceContext,
  type: 'image-recipe' | 'container-recipe',
  input: {
    name: string;
    semanticVersion: string;
    components?: ComponentConfiguration[] | undefined;
    parentImage: string;
  },
  docOf: (basics: RecipeBasics) => Doc,
): Promise<string> {
  const version = await recipeVersion(ctx, type, input.name, input.semanticVersion);
  const components = await checkRecipeComponents(ctx, input.components);
  const parent = await checkParentImage(ctx, input.parentImage);
  checkSupportedOs(components, parent.osVersion);
  const arn = arnOf(ctx, type, input.name, version);
  const doc = docOf({ arn, version, platform: parent.platform, owner: ctx.accountId, dateCreated: nowIso() });
  await insertResource(ctx, {
    type,
    arn,
    name: input.name,
    version,
    doc,
    references: [...components.map((c) => c.arn), ...(parent.resolvedArn ? [parent.resolvedArn] : [])],
  });
  return arn;
}
