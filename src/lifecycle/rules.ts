/**
 * @module Lifecycle rules → planned actions. Per policy detail: COUNT keeps the newest `value`
 * images of each recipe (image name) and acts on the rest; AGE acts on images older than
 * `value` `unit`s, always keeping the newest `retainAtLeast`. Exclusion rules (image tags, AMI
 * tags, AMI regions) spare an image. When details overlap, DELETE beats DISABLE beats DEPRECATE.
 */
import type {
  Image,
  LifecyclePolicy,
  LifecyclePolicyDetail,
  LifecyclePolicyDetailActionType,
  LifecyclePolicyTimeUnit,
} from '../model/generated/shapes.ts';
import type { ResourceRecord } from '../store/types.ts';

export interface PlannedAction {
  image: ResourceRecord<Image>;
  action: LifecyclePolicyDetailActionType;
  reason: string;
}

const UNIT_MS: Record<LifecyclePolicyTimeUnit, number> = {
  DAYS: 86_400_000,
  WEEKS: 7 * 86_400_000,
  MONTHS: 30 * 86_400_000,
  YEARS: 365 * 86_400_000,
};
const RANK: Record<LifecyclePolicyDetailActionType, number> = { DELETE: 3, DISABLE: 2, DEPRECATE: 1 };

const hasAnyTag = (tags: Record<string, string> | undefined, wanted: Record<string, string> | undefined): boolean =>
  Object.entries(wanted ?? {}).some(([k, v]) => tags?.[k] === v);

function excluded(detail: LifecyclePolicyDetail, image: Image): boolean {
  const rules = detail.exclusionRules;
  if (!rules) return false;
  if (hasAnyTag(image.tags, rules.tagMap)) return true;
  if (hasAnyTag(image.tags, rules.amis?.tagMap)) return true;
  const regions = rules.amis?.regions ?? [];
  return (
    regions.length > 0 &&
    (image.outputResources?.amis ?? []).some((a) => a.region !== undefined && regions.includes(a.region))
  );
}

const created = (r: ResourceRecord<Image>): number => Date.parse(r.doc.dateCreated ?? r.createdAt);

function affected(
  detail: LifecyclePolicyDetail,
  group: ResourceRecord<Image>[],
  now: number,
): { image: ResourceRecord<Image>; reason: string }[] {
  const newestFirst = [...group].sort((a, b) => created(b) - created(a) || (b.build ?? 0) - (a.build ?? 0));
  const f = detail.filter;
  if (f.type === 'COUNT') {
    return newestFirst.slice(f.value).map((image) => ({
      image,
      reason: `more than ${f.value} images of ${image.doc.name}: not among the newest ${f.value}`,
    }));
  }
  const maxAge = f.value * UNIT_MS[f.unit ?? 'DAYS'];
  return newestFirst
    .slice(f.retainAtLeast ?? 0)
    .filter((image) => now - created(image) > maxAge)
    .map((image) => ({ image, reason: `older than ${f.value} ${(f.unit ?? 'DAYS').toLowerCase()}` }));
}

export function planActions(
  policy: LifecyclePolicy,
  images: readonly ResourceRecord<Image>[],
  now: number,
): PlannedAction[] {
  const groups = new Map<string, ResourceRecord<Image>[]>();
  for (const r of images) groups.set(r.name, [...(groups.get(r.name) ?? []), r]);
  const chosen = new Map<string, PlannedAction>();
  for (const detail of policy.policyDetails ?? []) {
    for (const group of groups.values()) {
      for (const { image, reason } of affected(detail, group, now)) {
        if (excluded(detail, image.doc)) continue;
        const before = chosen.get(image.arn);
        if (!before || RANK[detail.action.type] > RANK[before.action])
          chosen.set(image.arn, { image, action: detail.action.type, reason });
      }
    }
  }
  return [...chosen.values()].sort((a, b) => created(a.image) - created(b.image));
}
