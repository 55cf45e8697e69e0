/**
 * @module Which images a lifecycle policy looks at: those of its account and region of the policy's
 * resource type (AMI_IMAGE → AMI, CONTAINER_IMAGE → DOCKER), in a state a policy acts on, that
 * match one of its recipes (name and semantic version, `x` wildcards allowed) or carry one of its
 * selection tags.
 */
import { arnName } from '../arn/arn.ts';
import { isBuilt } from '../images/image-states.ts';
import type { Image, LifecyclePolicy } from '../model/generated/shapes.ts';
import type { ResourceRecord, Store } from '../store/types.ts';
import { matches, parseVersion, parseVersionPattern } from '../versions/semver.ts';

function selected(policy: LifecyclePolicy, image: Image): boolean {
  const sel = policy.resourceSelection ?? {};
  const byRecipe = (sel.recipes ?? []).some(
    (r) =>
      arnName(r.name) === arnName(image.name ?? '') &&
      matches(parseVersion(image.version ?? '0.0.0'), parseVersionPattern(r.semanticVersion)),
  );
  const byTag = Object.entries(sel.tagMap ?? {}).some(([k, v]) => image.tags?.[k] === v);
  return byRecipe || byTag;
}

export async function selectImages(
  store: Store,
  policy: ResourceRecord<LifecyclePolicy>,
): Promise<ResourceRecord<Image>[]> {
  const type = policy.doc.resourceType === 'CONTAINER_IMAGE' ? 'DOCKER' : 'AMI';
  const all = await store.resources.allOfType<Image>('image');
  return all.filter(
    (r) =>
      r.account === policy.account &&
      r.region === policy.region &&
      r.doc.type === type &&
      isBuilt(r.doc.state?.status) &&
      selected(policy.doc, r.doc),
  );
}
