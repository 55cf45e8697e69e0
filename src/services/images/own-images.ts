/** @module Every image of the caller's account in the signed region, page by page (findings, build logs). */
import type { Image } from '../../model/generated/shapes.ts';
import type { ResourceRecord } from '../../store/types.ts';
import type { ServiceContext } from '../common/context.ts';

export async function* ownImages(ctx: ServiceContext, pageSize = 500): AsyncGenerator<ResourceRecord<Image>> {
  let after: string | undefined;
  do {
    const page = await ctx.store.resources.list<Image>({
      type: 'image',
      region: ctx.region,
      accounts: [ctx.accountId],
      limit: pageSize,
      ...(after ? { after } : {}),
    });
    yield* page.items;
    after = page.nextAfter;
  } while (after);
}
