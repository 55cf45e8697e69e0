/**
 * @module GetComponent, ListComponents and ListComponentBuildVersions.
 */
import type {
  Component,
  ComponentSummary,
  ComponentVersion,
  GetComponentRequest,
  GetComponentResponse,
  ListComponentBuildVersionsRequest,
  ListComponentBuildVersionsResponse,
  ListComponentsRequest,
  ListComponentsResponse,
} from '../../model/generated/shapes.ts';
import { buildVersionsScope } from '../common/access.ts';
import { dropUndefined, type ServiceContext } from '../common/context.ts';
import { listPage } from '../common/crud.ts';
import { readWithLatestRefs } from '../common/latest-versions.ts';

/** ListComponents' documented filters; `supportedOsVersion` matches any of a component's versions. */
const LIST_FILTERS = {
  description: 'description',
  name: 'name',
  platform: 'platform',
  supportedOsVersion: 'supportedOsVersions[*]',
  type: 'type',
  version: 'version',
} as const;

export async function getComponent(ctx: ServiceContext, input: GetComponentRequest): Promise<GetComponentResponse> {
  const { record, latest } = await readWithLatestRefs<Component>(
    ctx,
    input.componentBuildVersionArn,
    'componentBuildVersionArn',
    'component',
  );
  return { requestId: ctx.requestId, component: record.doc, ...latest };
}

function versionOf(c: Component): ComponentVersion {
  const { arn, name, version, description, platform, supportedOsVersions, type, owner, dateCreated } = c;
  // A version entry's ARN names the semantic version, without the build number.
  return dropUndefined({
    arn: arn?.replace(/\/[0-9]+$/, ''),
    name,
    version,
    description,
    platform,
    supportedOsVersions,
    type,
    owner,
    dateCreated,
  });
}

function summaryOf(c: Component): ComponentSummary {
  const {
    arn,
    name,
    version,
    platform,
    supportedOsVersions,
    state,
    type,
    owner,
    description,
    changeDescription,
    dateCreated,
    tags,
  } = c;
  return dropUndefined({
    arn,
    name,
    version,
    platform,
    supportedOsVersions,
    state,
    type,
    owner,
    description,
    changeDescription,
    dateCreated,
    tags,
  });
}

export async function listComponents(
  ctx: ServiceContext,
  input: ListComponentsRequest,
): Promise<ListComponentsResponse> {
  const { items, nextToken } = await listPage<Component>(ctx, input, {
    operation: 'ListComponents',
    type: 'component',
    filterSpec: LIST_FILTERS,
    latestBuildOnly: true,
  });
  return { requestId: ctx.requestId, componentVersionList: items.map(versionOf), ...(nextToken ? { nextToken } : {}) };
}

export async function listComponentBuildVersions(
  ctx: ServiceContext,
  input: ListComponentBuildVersionsRequest,
): Promise<ListComponentBuildVersionsResponse> {
  const { parsed, scope } = await buildVersionsScope(
    ctx,
    input.componentVersionArn ?? '',
    'componentVersionArn',
    'component',
  );
  const { items, nextToken } = await listPage<Component>(ctx, input, {
    operation: 'ListComponentBuildVersions',
    type: 'component',
    filterSpec: {},
    scope,
    name: parsed.name,
    ...(parsed.version !== undefined ? { version: parsed.version } : {}),
  });
  return { requestId: ctx.requestId, componentSummaryList: items.map(summaryOf), ...(nextToken ? { nextToken } : {}) };
}
