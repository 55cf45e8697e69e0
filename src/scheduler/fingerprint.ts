/**
 * @module A pipeline's dependency fingerprint: sha256 of what its next build would use — the
 * parent (a managed base's current bootstrap digest, plus a marker when the base is due for a
 * refresh with new security updates; or the newest AVAILABLE Ingot image matching a parent ARN)
 * and the component build each of the recipe's component ARNs (with `x` wildcards) resolves to.
 * Equal fingerprints mean a new build would be the same as the last one.
 */
import { createHash } from 'node:crypto';
import { tryParseArn } from '../arn/arn.ts';
import { DEFAULT_MAX_AGE_DAYS, MANAGED_BASES, readCurrentBase, type ManagedBaseName } from '../bases/index.ts';
import type { ContainerRecipe, Image, ImagePipeline, ImageRecipe } from '../model/generated/shapes.ts';
import type { Store } from '../store/types.ts';
import { newestMatching } from '../versions/semver.ts';

/** Managed base names and ARN names (debian-12, debian-12-x86, ...) → the base. */
const MANAGED: Record<string, ManagedBaseName> = Object.fromEntries(
  MANAGED_BASES.flatMap((b) => [
    [b.name, b.name],
    [b.arnNameSuffix, b.name],
  ]),
);

async function newestBuild(store: Store, arn: string, region: string, availableOnly: boolean): Promise<string> {
  const p = tryParseArn(arn);
  if (!p || p.version === undefined) return `unresolved:${arn}`;
  if (p.build !== undefined && !p.version.includes('x')) return arn;
  let candidates = await store.resources.versions(p.type, [p.account], region, p.name);
  if (availableOnly) {
    const ok = [];
    for (const c of candidates)
      if ((await store.resources.get<Image>(c.arn))?.doc.state?.status === 'AVAILABLE') ok.push(c);
    candidates = ok;
  }
  return newestMatching(candidates, p.version)?.arn ?? `missing:${arn}`;
}

async function parentPart(
  store: Store,
  basesHome: string,
  parent: string | undefined,
  region: string,
  now: number,
): Promise<string> {
  const text = parent ?? 'debian-12';
  const arn = tryParseArn(text);
  const managed = MANAGED[arn?.account === 'aws' ? arn.name : text];
  if (managed) {
    const base = await readCurrentBase(basesHome, managed);
    if (!base) return `base:${managed}:none`;
    const ageDays = (now - Date.parse(base.image.createdAt)) / 86_400_000;
    return `base:${managed}:${base.image.digest}${ageDays > DEFAULT_MAX_AGE_DAYS ? ':refresh-due' : ''}`;
  }
  if (arn?.type === 'image') return `image:${await newestBuild(store, text, region, true)}`;
  return `parent:${text}`;
}

export async function dependencyFingerprint(
  store: Store,
  basesHome: string,
  pipeline: ImagePipeline,
  region: string,
  now: number,
): Promise<string> {
  const recipeArn = pipeline.imageRecipeArn ?? pipeline.containerRecipeArn ?? '';
  const recipe = (await store.resources.get<ImageRecipe & ContainerRecipe>(recipeArn))?.doc;
  const parts = [`recipe:${recipeArn}`, await parentPart(store, basesHome, recipe?.parentImage, region, now)];
  for (const c of recipe?.components ?? [])
    parts.push(`component:${await newestBuild(store, c.componentArn, region, false)}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
