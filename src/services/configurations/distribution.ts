/**
 * @module Distribution configurations (where finished images go; each region is a site): Create,
 * Update, Get, List, Delete.
 */
import { isRegionName } from '../../arn/region.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import { checkIngotTags } from '../../config/tags.ts';
import type {
  CreateDistributionConfigurationRequest,
  CreateDistributionConfigurationResponse,
  DeleteDistributionConfigurationRequest,
  DeleteDistributionConfigurationResponse,
  Distribution,
  DistributionConfiguration,
  GetDistributionConfigurationRequest,
  GetDistributionConfigurationResponse,
  ListDistributionConfigurationsRequest,
  ListDistributionConfigurationsResponse,
  UpdateDistributionConfigurationRequest,
  UpdateDistributionConfigurationResponse,
} from '../../model/generated/shapes.ts';
import { arnOf, ownResource, readResource } from '../common/access.ts';
import { dropUndefined, nowIso, type ServiceContext, tagsField } from '../common/context.ts';
import { deleteOwned, insertResource, listPage } from '../common/crud.ts';
import { idempotent } from '../common/idempotency.ts';

function checkDistributions(distributions: readonly Distribution[]): void {
  if (distributions.length === 0)
    throw new IngotError(
      'InvalidParameterValueException',
      'distributions: give at least one distribution (a region to copy the image to).',
    );
  const seen = new Set<string>();
  for (const [i, d] of distributions.entries()) {
    if (!isRegionName(d.region)) {
      throw new IngotError(
        'InvalidParameterValueException',
        `distributions[${i}].region: '${d.region}' is not a region name (like us-east-1) or a site name (like site-lab-a).`,
      );
    }
    if (seen.has(d.region))
      throw new IngotError(
        'InvalidParameterValueException',
        `distributions[${i}].region: the region '${d.region}' appears more than once.`,
      );
    seen.add(d.region);
    checkOutputs(d, i);
  }
}

/** What a region makes: at least one of these (AWS refuses a region with none). */
const OUTPUTS = [
  'amiDistributionConfiguration',
  'containerDistributionConfiguration',
  'licenseConfigurationArns',
  'launchTemplateConfigurations',
  's3ExportConfiguration',
  'fastLaunchConfigurations',
  'ssmParameterConfigurations',
] as const;

/** `{{ imagebuilder:buildDate }}` with or without spaces, and its dated form `{{imagebuilder:buildDate:yyyyMMdd}}`. */
const BUILD_DATE = /\{\{\s*imagebuilder:buildDate(?::[^}\s]+)?\s*\}\}/;

/** AWS's checks and messages for one region's outputs. */
function checkOutputs(d: Distribution, i: number): void {
  if (!OUTPUTS.some((k) => d[k] !== undefined))
    throw new IngotError(
      'InvalidParameterValueException',
      `The value supplied for parameter 'distributions[${i}]' is not valid. One or more outputs should be provided for each region in a distribution configuration (${OUTPUTS.join(', ')}).`,
    );
  const name = d.amiDistributionConfiguration?.name;
  if (name !== undefined && !BUILD_DATE.test(name))
    throw new IngotError(
      'InvalidParameterValueException',
      `The value supplied for parameter 'distributions[${i}].amiDistributionConfiguration.name' is not valid. The EC2 AMI name must contain '{{ imagebuilder:buildDate }}' to ensure that the name will be unique.`,
    );
}

export function createDistributionConfiguration(
  ctx: ServiceContext,
  input: CreateDistributionConfigurationRequest,
): Promise<CreateDistributionConfigurationResponse> {
  return idempotent(ctx, 'CreateDistributionConfiguration', input, async () => {
    checkDistributions(input.distributions);
    checkIngotTags('distribution configuration', input.tags);
    const arn = arnOf(ctx, 'distribution-configuration', input.name);
    const doc: DistributionConfiguration = dropUndefined({
      arn,
      name: input.name,
      description: input.description,
      distributions: input.distributions,
      timeoutMinutes: 720,
      dateCreated: nowIso(),
      ...tagsField(input.tags),
    });
    await insertResource(ctx, { type: 'distribution-configuration', arn, name: input.name, doc });
    return { requestId: ctx.requestId, clientToken: input.clientToken, distributionConfigurationArn: arn };
  });
}

export function updateDistributionConfiguration(
  ctx: ServiceContext,
  input: UpdateDistributionConfigurationRequest,
): Promise<UpdateDistributionConfigurationResponse> {
  return idempotent(ctx, 'UpdateDistributionConfiguration', input, async () => {
    const arn = input.distributionConfigurationArn;
    const record = await ownResource<DistributionConfiguration>(
      ctx,
      arn,
      'distributionConfigurationArn',
      'distribution-configuration',
    );
    checkDistributions(input.distributions);
    const doc: DistributionConfiguration = dropUndefined({
      ...record.doc,
      description: input.description,
      distributions: input.distributions,
      dateUpdated: nowIso(),
    });
    await ctx.store.resources.update(arn, doc);
    return { requestId: ctx.requestId, clientToken: input.clientToken, distributionConfigurationArn: arn };
  });
}

export async function getDistributionConfiguration(
  ctx: ServiceContext,
  input: GetDistributionConfigurationRequest,
): Promise<GetDistributionConfigurationResponse> {
  const record = await readResource<DistributionConfiguration>(
    ctx,
    input.distributionConfigurationArn,
    'distributionConfigurationArn',
    'distribution-configuration',
  );
  return { requestId: ctx.requestId, distributionConfiguration: record.doc };
}

export async function listDistributionConfigurations(
  ctx: ServiceContext,
  input: ListDistributionConfigurationsRequest,
): Promise<ListDistributionConfigurationsResponse> {
  const { items, nextToken } = await listPage<DistributionConfiguration>(ctx, input, {
    operation: 'ListDistributionConfigurations',
    type: 'distribution-configuration',
    filterSpec: { name: 'name' },
  });
  const distributionConfigurationSummaryList = items.map(
    ({ arn, name, description, dateCreated, dateUpdated, tags, distributions }) =>
      dropUndefined({
        arn,
        name,
        description,
        dateCreated,
        dateUpdated,
        tags,
        regions: (distributions ?? []).map((d) => d.region),
      }),
  );
  return { requestId: ctx.requestId, distributionConfigurationSummaryList, ...(nextToken ? { nextToken } : {}) };
}

export async function deleteDistributionConfiguration(
  ctx: ServiceContext,
  input: DeleteDistributionConfigurationRequest,
): Promise<DeleteDistributionConfigurationResponse> {
  await deleteOwned(
    ctx,
    input.distributionConfigurationArn,
    'distributionConfigurationArn',
    'distribution-configuration',
  );
  return { requestId: ctx.requestId, distributionConfigurationArn: input.distributionConfigurationArn };
}
