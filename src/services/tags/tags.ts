/**
 * @module TagResource, UntagResource and ListTagsForResource, for every Image Builder resource
 * the caller owns. Tags live in the resource's own `tags` map.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from '../../model/generated/shapes.ts';
import { parseArn } from '../../arn/arn.ts';
import { checkIngotTags } from '../../config/tags.ts';

const parsed = (arn: string): string => parseArn(arn, 'resourceArn').type;
import { ownResource, readResource } from '../common/access.ts';
import { tagsField, type ServiceContext } from '../common/context.ts';

const MAX_TAGS = 50;

/**
 * The resource whose tags change: one the caller owns. A version ARN of a component or image (no
 * build number, or `x` wildcards) names its newest build, as ListTagsForResource reads it.
 */
async function ownedTagged(ctx: ServiceContext, arn: string) {
  const parsed = parseArn(arn, 'resourceArn');
  const target =
    parsed.account === ctx.accountId ? (await readResource(ctx, arn, 'resourceArn', parsed.type)).arn : arn;
  return ownResource<{ tags?: Record<string, string> }>(ctx, target, 'resourceArn', parsed.type);
}

export async function tagResource(ctx: ServiceContext, input: TagResourceRequest): Promise<TagResourceResponse> {
  await ctx.store.transaction(async () => {
    const record = await ownedTagged(ctx, input.resourceArn);
    const tags = { ...(record.doc.tags ?? {}), ...input.tags };
    if (parsed(input.resourceArn) === 'distribution-configuration')
      checkIngotTags('distribution configuration', input.tags);
    if (parsed(input.resourceArn) === 'image-recipe') checkIngotTags('image recipe', input.tags);
    if (Object.keys(tags).length > MAX_TAGS) {
      throw new IngotError(
        'InvalidParameterValueException',
        `A resource can have at most ${MAX_TAGS} tags; this request would give it ${Object.keys(tags).length}.`,
      );
    }
    await ctx.store.resources.update(record.arn, { ...record.doc, tags });
  });
  return {};
}

export async function untagResource(ctx: ServiceContext, input: UntagResourceRequest): Promise<UntagResourceResponse> {
  await ctx.store.transaction(async () => {
    const record = await ownedTagged(ctx, input.resourceArn);
    const tags = { ...(record.doc.tags ?? {}) };
    for (const key of input.tagKeys) delete tags[key];
    const { tags: _old, ...rest } = record.doc;
    await ctx.store.resources.update(record.arn, { ...rest, ...tagsField(tags) });
  });
  return {};
}

export async function listTagsForResource(
  ctx: ServiceContext,
  input: ListTagsForResourceRequest,
): Promise<ListTagsForResourceResponse> {
  const parsed = parseArn(input.resourceArn, 'resourceArn');
  const record = await readResource<{ tags?: Record<string, string> }>(
    ctx,
    input.resourceArn,
    'resourceArn',
    parsed.type,
  );
  // TagMap has at least one entry in the model: no tags is no `tags` member.
  const tags = record.doc.tags ?? {};
  return Object.keys(tags).length ? { tags } : {};
}
