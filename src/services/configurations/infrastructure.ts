/**
 * @module Infrastructure configurations (where and how builds run): Create, Update, Get, List,
 * Delete. `instanceTypes` choose the build instance's CPU and memory limits, or a qemu VM
 * (`ingot.vm.*`, or the resource tag `ingot:instance-driver`; docs/instance-types.md).
 */
import type {
  CreateInfrastructureConfigurationRequest,
  CreateInfrastructureConfigurationResponse,
  DeleteInfrastructureConfigurationRequest,
  DeleteInfrastructureConfigurationResponse,
  GetInfrastructureConfigurationRequest,
  GetInfrastructureConfigurationResponse,
  InfrastructureConfiguration,
  ListInfrastructureConfigurationsRequest,
  ListInfrastructureConfigurationsResponse,
  UpdateInfrastructureConfigurationRequest,
  UpdateInfrastructureConfigurationResponse,
} from '../../model/generated/shapes.ts';
import { arnOf, ownResource, readResource } from '../common/access.ts';
import { dropUndefined, nowIso, type ServiceContext, tagsField } from '../common/context.ts';
import { deleteOwned, insertResource, listPage } from '../common/crud.ts';
import { idempotent } from '../common/idempotency.ts';
import { instanceDriverFor } from '../../instance/qemu/select.ts';
import { checkIngotTags } from '../../config/tags.ts';

type Settings = Omit<UpdateInfrastructureConfigurationRequest, 'infrastructureConfigurationArn' | 'clientToken'>;

function settingsOf(input: Settings): Partial<InfrastructureConfiguration> {
  instanceDriverFor(input); // an unknown ingot.vm.* type or instance-driver tag is a 400 now, not a failed build later
  checkIngotTags('infrastructure configuration', input.resourceTags);
  const {
    description,
    instanceTypes,
    instanceProfileName,
    securityGroupIds,
    subnetId,
    logging,
    keyPair,
    terminateInstanceOnFailure,
    snsTopicArn,
    resourceTags,
    instanceMetadataOptions,
    placement,
  } = input;
  return dropUndefined({
    description,
    instanceTypes,
    instanceProfileName,
    securityGroupIds,
    subnetId,
    logging,
    keyPair,
    terminateInstanceOnFailure,
    snsTopicArn,
    resourceTags,
    instanceMetadataOptions,
    placement,
  });
}

export function createInfrastructureConfiguration(
  ctx: ServiceContext,
  input: CreateInfrastructureConfigurationRequest,
): Promise<CreateInfrastructureConfigurationResponse> {
  return idempotent(ctx, 'CreateInfrastructureConfiguration', input, async () => {
    const arn = arnOf(ctx, 'infrastructure-configuration', input.name);
    const doc: InfrastructureConfiguration = {
      arn,
      name: input.name,
      ...settingsOf(input),
      terminateInstanceOnFailure: input.terminateInstanceOnFailure ?? true,
      dateCreated: nowIso(),
      ...tagsField(input.tags),
    };
    await insertResource(ctx, { type: 'infrastructure-configuration', arn, name: input.name, doc });
    return { requestId: ctx.requestId, clientToken: input.clientToken, infrastructureConfigurationArn: arn };
  });
}

export function updateInfrastructureConfiguration(
  ctx: ServiceContext,
  input: UpdateInfrastructureConfigurationRequest,
): Promise<UpdateInfrastructureConfigurationResponse> {
  return idempotent(ctx, 'UpdateInfrastructureConfiguration', input, async () => {
    const arn = input.infrastructureConfigurationArn;
    const record = await ownResource<InfrastructureConfiguration>(
      ctx,
      arn,
      'infrastructureConfigurationArn',
      'infrastructure-configuration',
    );
    const { arn: _a, name, dateCreated, tags } = record.doc;
    const doc: InfrastructureConfiguration = dropUndefined({
      arn,
      name,
      ...settingsOf(input),
      terminateInstanceOnFailure: input.terminateInstanceOnFailure ?? true,
      dateCreated,
      dateUpdated: nowIso(),
      tags,
    });
    await ctx.store.resources.update(arn, doc);
    return { requestId: ctx.requestId, clientToken: input.clientToken, infrastructureConfigurationArn: arn };
  });
}

export async function getInfrastructureConfiguration(
  ctx: ServiceContext,
  input: GetInfrastructureConfigurationRequest,
): Promise<GetInfrastructureConfigurationResponse> {
  const record = await readResource<InfrastructureConfiguration>(
    ctx,
    input.infrastructureConfigurationArn,
    'infrastructureConfigurationArn',
    'infrastructure-configuration',
  );
  return { requestId: ctx.requestId, infrastructureConfiguration: record.doc };
}

export async function listInfrastructureConfigurations(
  ctx: ServiceContext,
  input: ListInfrastructureConfigurationsRequest,
): Promise<ListInfrastructureConfigurationsResponse> {
  const { items, nextToken } = await listPage<InfrastructureConfiguration>(ctx, input, {
    operation: 'ListInfrastructureConfigurations',
    type: 'infrastructure-configuration',
    filterSpec: { name: 'name' },
  });
  const infrastructureConfigurationSummaryList = items.map(
    ({
      arn,
      name,
      description,
      dateCreated,
      dateUpdated,
      resourceTags,
      tags,
      instanceTypes,
      instanceProfileName,
      placement,
    }) =>
      dropUndefined({
        arn,
        name,
        description,
        dateCreated,
        dateUpdated,
        resourceTags,
        tags,
        instanceTypes,
        instanceProfileName,
        placement,
      }),
  );
  return { requestId: ctx.requestId, infrastructureConfigurationSummaryList, ...(nextToken ? { nextToken } : {}) };
}

export async function deleteInfrastructureConfiguration(
  ctx: ServiceContext,
  input: DeleteInfrastructureConfigurationRequest,
): Promise<DeleteInfrastructureConfigurationResponse> {
  await deleteOwned(
    ctx,
    input.infrastructureConfigurationArn,
    'infrastructureConfigurationArn',
    'infrastructure-configuration',
  );
  return { requestId: ctx.requestId, infrastructureConfigurationArn: input.infrastructureConfigurationArn };
}
