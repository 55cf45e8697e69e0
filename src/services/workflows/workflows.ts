/**
 * @module Workflows as resources: CreateWorkflow (inline `data`, checked with line and column;
 * `dryRun`), GetWorkflow, ListWorkflows, ListWorkflowBuildVersions, DeleteWorkflow. A workflow's
 * ARN carries its type (`workflow/build/NAME/1.0.0/1`); versions and build numbers work as for
 * components. Running them is the engine's (see docs/api.md for what runs today).
 */
import { parseArn, workflowName } from '../../arn/arn.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  CreateWorkflowRequest,
  CreateWorkflowResponse,
  DeleteWorkflowRequest,
  DeleteWorkflowResponse,
  GetWorkflowRequest,
  GetWorkflowResponse,
  ListWorkflowBuildVersionsRequest,
  ListWorkflowBuildVersionsResponse,
  ListWorkflowsRequest,
  ListWorkflowsResponse,
  Workflow,
  WorkflowParameterDetail,
  WorkflowSummary,
  WorkflowVersion,
} from '../../model/generated/shapes.ts';
import { parseVersion } from '../../versions/semver.ts';
import type { WorkflowType } from '../../workflows/actions.ts';
import { checkWorkflowDocument, type WorkflowParameter } from '../../workflows/document.ts';
import { buildVersionsScope } from '../common/access.ts';
import { dropUndefined, nowIso, type ServiceContext, tagsField } from '../common/context.ts';
import { deleteOwned, listPage } from '../common/crud.ts';
import { idempotent } from '../common/idempotency.ts';
import { latestRefs, readWithLatestRefs } from '../common/latest-versions.ts';
import { readDocumentUri } from '../components/document-uri.ts';

/** Checks a workflow document for its type; an IngotError listing each problem with line and column. */
export function checkWorkflow(data: string, type: WorkflowType) {
  const result = checkWorkflowDocument(data, type);
  if (!result.document) {
    const lines = result.errors
      .slice(0, 20)
      .map((e) => `line ${e.line}, column ${e.column}: ${e.path ? `${e.path}: ` : ''}${e.message}`);
    const more = result.errors.length > 20 ? ` (and ${result.errors.length - 20} more)` : '';
    throw new IngotError(
      'InvalidParameterValueException',
      `The workflow document in 'data' is not valid: ${lines.join('; ')}${more}`,
      { data: { errors: result.errors } },
    );
  }
  return result.document;
}

/** The API's view of a document's parameters (values as string lists). */
export function parameterDetails(parameters: readonly WorkflowParameter[]): WorkflowParameterDetail[] {
  return parameters.map((p) =>
    dropUndefined({
      name: p.name,
      type: p.type,
      defaultValue:
        p.default === undefined ? undefined : Array.isArray(p.default) ? p.default.map(String) : [String(p.default)],
      description: p.description,
    }),
  );
}

export function createWorkflow(ctx: ServiceContext, input: CreateWorkflowRequest): Promise<CreateWorkflowResponse> {
  return idempotent(ctx, 'CreateWorkflow', input, async () => {
    parseVersion(input.semanticVersion);
    if (input.data !== undefined && input.uri !== undefined)
      throw new IngotError('InvalidParameterCombinationException', "Specify either 'data' or 'uri', not both.");
    if (input.data === undefined && input.uri === undefined)
      throw new IngotError(
        'InvalidParameterCombinationException',
        "A workflow needs its document: specify 'data' or 'uri'.",
      );
    // A `uri` is read once, now, like a component's (s3:// or https://).
    const data = input.data ?? (await readDocumentUri(input.uri!, ctx.documentSources ?? {}));
    const document = checkWorkflow(data, input.type);
    const name = workflowName(input.type, input.name);
    return ctx.store.transaction(async () => {
      const build =
        (await ctx.store.resources.maxBuild('workflow', ctx.accountId, ctx.region, name, input.semanticVersion)) + 1;
      const arn = `arn:aws:imagebuilder:${ctx.region}:${ctx.accountId}:workflow/${name}/${input.semanticVersion}/${build}`;
      if (input.dryRun)
        throw new IngotError(
          'DryRunOperationException',
          'The dry run succeeded: the request is valid and no workflow was created.',
        );
      const created = nowIso();
      const doc: Workflow = dropUndefined({
        arn,
        name: input.name,
        version: input.semanticVersion,
        description: input.description,
        changeDescription: input.changeDescription,
        type: input.type,
        owner: ctx.accountId,
        data,
        kmsKeyId: input.kmsKeyId,
        dateCreated: created,
        ...tagsField(input.tags),
        parameters: document.parameters.length ? parameterDetails(document.parameters) : undefined,
      });
      await ctx.store.resources.insert({
        arn,
        type: 'workflow',
        account: ctx.accountId,
        region: ctx.region,
        name,
        version: input.semanticVersion,
        build,
        doc,
        createdAt: created,
        updatedAt: created,
      });
      return {
        clientToken: input.clientToken,
        workflowBuildVersionArn: arn,
        ...(await latestRefs(ctx, 'workflow', arn)),
      };
    });
  });
}

export async function getWorkflow(ctx: ServiceContext, input: GetWorkflowRequest): Promise<GetWorkflowResponse> {
  const { record, latest } = await readWithLatestRefs<Workflow>(
    ctx,
    input.workflowBuildVersionArn,
    'workflowBuildVersionArn',
    'workflow',
  );
  return { workflow: record.doc, ...latest };
}

function versionOf(w: Workflow): WorkflowVersion {
  const { arn, name, version, description, type, owner, dateCreated } = w;
  return dropUndefined({ arn: arn?.replace(/\/[0-9]+$/, ''), name, version, description, type, owner, dateCreated });
}

/**
 * A build's summary. The model gives WorkflowSummary.arn the name ARN form (`…/NAME/x.x.x`), so that
 * is what it carries; `version` and `dateCreated` tell the builds apart.
 */
function summaryOf(w: Workflow): WorkflowSummary {
  const { arn, name, version, description, changeDescription, type, owner, state, dateCreated, tags } = w;
  const nameArn = arn?.replace(/\/[0-9]+\.[0-9]+\.[0-9]+\/[0-9]+$/, '/x.x.x');
  return dropUndefined({
    arn: nameArn,
    name,
    version,
    description,
    changeDescription,
    type,
    owner,
    state,
    dateCreated,
    tags,
  });
}

export async function listWorkflows(ctx: ServiceContext, input: ListWorkflowsRequest): Promise<ListWorkflowsResponse> {
  const { items, nextToken } = await listPage<Workflow, WorkflowVersion>(ctx, input, {
    operation: 'ListWorkflows',
    type: 'workflow',
    filterSpec: { name: 'name' },
    latestBuildOnly: true,
    item: versionOf,
  });
  return { workflowVersionList: items, ...(nextToken ? { nextToken } : {}) };
}

export async function listWorkflowBuildVersions(
  ctx: ServiceContext,
  input: ListWorkflowBuildVersionsRequest,
): Promise<ListWorkflowBuildVersionsResponse> {
  const { parsed, scope } = await buildVersionsScope(
    ctx,
    input.workflowVersionArn ?? '',
    'workflowVersionArn',
    'workflow',
  );
  const { items, nextToken } = await listPage<Workflow, WorkflowSummary>(ctx, input, {
    operation: 'ListWorkflowBuildVersions',
    type: 'workflow',
    filterSpec: {},
    scope,
    name: parsed.name,
    ...(parsed.version !== undefined ? { version: parsed.version } : {}),
    item: summaryOf,
  });
  return { workflowSummaryList: items, ...(nextToken ? { nextToken } : {}) };
}

export async function deleteWorkflow(
  ctx: ServiceContext,
  input: DeleteWorkflowRequest,
): Promise<DeleteWorkflowResponse> {
  parseArn(input.workflowBuildVersionArn, 'workflowBuildVersionArn', 'workflow');
  await deleteOwned(ctx, input.workflowBuildVersionArn, 'workflowBuildVersionArn', 'workflow');
  return { workflowBuildVersionArn: input.workflowBuildVersionArn };
}
