/**
 * @module Which workflows an image build runs: those its pipeline / CreateImage named in
 * `workflows` (resolved to their stored documents, parameters checked), else Ingot's managed ones —
 * build-image or build-container, test-image or test-container (unless tests are off), and
 * distribute-image. When a list is named, a missing BUILD or DISTRIBUTION workflow falls back to
 * the managed one, and no TEST workflow means no tests.
 */
import { formatArn, tryParseArn, workflowName } from '../../arn/arn.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import type { Image, Workflow, WorkflowConfiguration } from '../../model/generated/shapes.ts';
import type { JobStore } from '../job-store.ts';
import { newestMatching } from '../../versions/semver.ts';
import type { WorkflowType } from '../../workflows/actions.ts';
import { checkWorkflowDocument, type WorkflowDocument } from '../../workflows/document.ts';
import { MANAGED_WORKFLOWS } from '../../workflows/managed.ts';

export interface PlannedWorkflow {
  arn: string;
  type: WorkflowType;
  document: WorkflowDocument;
  parameters: Record<string, unknown>;
  onFailure: 'ABORT' | 'CONTINUE';
  parallelGroup?: string;
}

function managedWorkflow(region: string, name: string): PlannedWorkflow {
  const w = MANAGED_WORKFLOWS.find((m) => m.name === name)!;
  const document = checkWorkflowDocument(w.data, w.type).document!;
  const arn = formatArn({
    region,
    account: 'aws',
    type: 'workflow',
    name: workflowName(w.type, w.name),
    version: w.semanticVersion,
    build: 1,
  });
  return { arn, type: w.type, document, parameters: defaults(document), onFailure: 'ABORT' };
}

function defaults(document: WorkflowDocument): Record<string, unknown> {
  return Object.fromEntries(document.parameters.filter((p) => p.default !== undefined).map((p) => [p.name, p.default]));
}

/** A named workflow's stored document (newest matching build for a version without build number). */
async function namedWorkflow(
  store: Pick<JobStore, 'resources'>,
  region: string,
  c: WorkflowConfiguration,
): Promise<PlannedWorkflow> {
  const parsed = tryParseArn(c.workflowArn);
  if (parsed?.type !== 'workflow')
    throw new IngotError('InvalidParameterValueException', `workflowArn '${c.workflowArn}' is not a workflow ARN`);
  let record = parsed.build !== undefined ? await store.resources.get<Workflow>(c.workflowArn) : undefined;
  if (!record) {
    const candidates = await store.resources.versions(
      'workflow',
      [parsed.account],
      parsed.region ?? region,
      parsed.name,
    );
    const best = newestMatching(candidates, parsed.version ?? 'x.x.x');
    record = best ? await store.resources.get<Workflow>(best.arn) : undefined;
  }
  if (!record) throw new IngotError('ResourceNotFoundException', `the workflow ${c.workflowArn} does not exist`);
  const type = record.doc.type as WorkflowType;
  const check = checkWorkflowDocument(record.doc.data ?? '', type);
  if (!check.document)
    throw new IngotError('InvalidParameterValueException', `the workflow ${record.arn} is not valid`);
  const document = check.document;
  const parameters = defaults(document);
  for (const p of c.parameters ?? []) {
    const declared = document.parameters.find((d) => d.name === p.name);
    if (!declared)
      throw new IngotError('InvalidParameterValueException', `the workflow ${record.arn} has no parameter '${p.name}'`);
    const v = p.value;
    parameters[p.name] =
      declared.type === 'stringList'
        ? v
        : declared.type === 'integer'
          ? Number(v[0])
          : declared.type === 'boolean'
            ? v[0] === 'true'
            : v[0];
  }
  const missing = document.parameters.find((d) => parameters[d.name] === undefined);
  if (missing)
    throw new IngotError(
      'InvalidParameterValueException',
      `the workflow ${record.arn} needs a value for its parameter '${missing.name}'`,
    );
  return {
    arn: record.arn,
    type,
    document,
    parameters,
    onFailure: c.onFailure ?? 'ABORT',
    ...(c.parallelGroup ? { parallelGroup: c.parallelGroup } : {}),
  };
}

export async function workflowPlan(
  store: Pick<JobStore, 'resources'>,
  image: Image,
  region: string,
): Promise<PlannedWorkflow[]> {
  const container = image.containerRecipe !== undefined;
  if (!image.workflows?.length) {
    const plan = [managedWorkflow(region, container ? 'build-container' : 'build-image')];
    if (image.imageTestsConfiguration?.imageTestsEnabled !== false)
      plan.push(managedWorkflow(region, container ? 'test-container' : 'test-image'));
    plan.push(managedWorkflow(region, 'distribute-image'));
    return plan;
  }
  const named: PlannedWorkflow[] = [];
  for (const c of image.workflows) named.push(await namedWorkflow(store, region, c));
  const of = (t: WorkflowType) => named.filter((w) => w.type === t);
  if (of('BUILD').length > 1 || of('DISTRIBUTION').length > 1)
    throw new IngotError(
      'InvalidParameterValueException',
      'an image runs at most one BUILD and one DISTRIBUTION workflow',
    );
  const distribution = of('DISTRIBUTION').length ? of('DISTRIBUTION') : [managedWorkflow(region, 'distribute-image')];
  const build = of('BUILD').length
    ? of('BUILD')
    : [managedWorkflow(region, container ? 'build-container' : 'build-image')];
  return [...build, ...of('TEST'), ...distribution];
}
