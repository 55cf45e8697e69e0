/**
 * @module GetMarketplaceResource: Ingot has no AWS Marketplace, so no component is a marketplace
 * component (none has `productCodes` or owner AWSMarketplace). The answer says so, naming the ARN,
 * and points at what Ingot offers instead (components of the account, shared or managed).
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type { GetMarketplaceResourceRequest, GetMarketplaceResourceResponse } from '../../model/generated/shapes.ts';
import { checkArn } from '../common/access.ts';
import type { ServiceContext } from '../common/context.ts';

export async function getMarketplaceResource(
  ctx: ServiceContext,
  input: GetMarketplaceResourceRequest,
): Promise<GetMarketplaceResourceResponse> {
  checkArn(ctx, input.resourceArn, 'resourceArn', 'component');
  throw new IngotError(
    'InvalidRequestException',
    `'${input.resourceArn}' is not an AWS Marketplace component: Ingot has no marketplace, so ${input.resourceType} ` +
      'is never available. Use GetComponent for the data of your own, shared or managed (owner Amazon) components.',
  );
}
