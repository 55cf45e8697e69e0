/**
 * @module CreateComponent and ImportComponent: validate the document, give the new component the
 * next build number of its (name, version), store it.
 */
import { arnName } from '../../arn/arn.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  Component,
  CreateComponentRequest,
  CreateComponentResponse,
  ImportComponentRequest,
  ImportComponentResponse,
} from '../../model/generated/shapes.ts';
import { parseVersion } from '../../versions/semver.ts';
import { arnOf } from '../common/access.ts';
import { nowIso, type ServiceContext, tagsField } from '../common/context.ts';
import { latestRefs } from '../common/latest-versions.ts';
import { idempotent } from '../common/idempotency.ts';
import { checkComponentDocument } from './document.ts';
import { readDocumentUri } from './document-uri.ts';

interface NewComponent {
  name: string;
  semanticVersion: string;
  platform: Component['platform'];
  data?: string | undefined;
  uri?: string | undefined;
  description?: string | undefined;
  changeDescription?: string | undefined;
  supportedOsVersions?: string[] | undefined;
  kmsKeyId?: string | undefined;
  tags?: Record<string, string> | undefined;
}

/** The document: inline `data`, or read from `uri` now (as Image Builder reads it once, at creation). */
async function documentText(ctx: ServiceContext, input: NewComponent): Promise<string> {
  if (input.data !== undefined && input.uri !== undefined) {
    throw new IngotError(
      'InvalidParameterCombinationException',
      "You can specify either 'data' or 'uri' for a component, not both.",
    );
  }
  if (input.data !== undefined) return input.data;
  if (input.uri !== undefined) return readDocumentUri(input.uri, ctx.documentSources ?? {});
  throw new IngotError(
    'InvalidParameterCombinationException',
    "A component needs its document: specify 'data' or 'uri'.",
  );
}

async function storeComponent(ctx: ServiceContext, input: NewComponent, dryRun: boolean): Promise<string> {
  parseVersion(input.semanticVersion);
  const data = await documentText(ctx, input);
  const facts = checkComponentDocument(data);
  // One transaction from numbering to storing: the build number stays held until the component
  // is stored, so servers sharing a database never give one number twice.
  return ctx.store.transaction(async () => {
    const build =
      (await ctx.store.resources.maxBuild(
        'component',
        ctx.accountId,
        ctx.region,
        arnName(input.name),
        input.semanticVersion,
      )) + 1;
    const arn = arnOf(ctx, 'component', input.name, input.semanticVersion, build);
    if (dryRun) {
      throw new IngotError(
        'DryRunOperationException',
        'The dry run succeeded: the request is valid and no component was created.',
      );
    }
    const created = nowIso();
    const doc: Component = {
      arn,
      name: input.name,
      version: input.semanticVersion,
      type: facts.type,
      platform: input.platform,
      state: { status: 'ACTIVE' },
      owner: ctx.accountId,
      data,
      encrypted: true,
      dateCreated: created,
      ...tagsField(input.tags),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.changeDescription !== undefined ? { changeDescription: input.changeDescription } : {}),
      ...(input.supportedOsVersions !== undefined ? { supportedOsVersions: input.supportedOsVersions } : {}),
      ...(input.kmsKeyId !== undefined ? { kmsKeyId: input.kmsKeyId } : {}),
      ...(facts.parameters.length ? { parameters: facts.parameters } : {}),
    };
    await ctx.store.resources.insert({
      arn,
      type: 'component',
      account: ctx.accountId,
      region: ctx.region,
      name: arnName(input.name),
      version: input.semanticVersion,
      build,
      doc,
      createdAt: created,
      updatedAt: created,
    });
    return arn;
  });
}

export function createComponent(ctx: ServiceContext, input: CreateComponentRequest): Promise<CreateComponentResponse> {
  return idempotent(ctx, 'CreateComponent', input, async () => {
    const arn = await storeComponent(ctx, input, input.dryRun === true);
    return {
      requestId: ctx.requestId,
      clientToken: input.clientToken,
      componentBuildVersionArn: arn,
      ...(await latestRefs(ctx, 'component', arn)),
    };
  });
}

export function importComponent(ctx: ServiceContext, input: ImportComponentRequest): Promise<ImportComponentResponse> {
  return idempotent(ctx, 'ImportComponent', input, async () => {
    // format is SHELL in the model: the data is a shell script, wrapped here into an AWSTOE document.
    const script = await documentText(ctx, input);
    const data = wrapShellScript(input.name, input.type, script);
    const arn = await storeComponent(ctx, { ...input, data, uri: undefined }, false);
    return { requestId: ctx.requestId, clientToken: input.clientToken, componentBuildVersionArn: arn };
  });
}

/** ImportComponent's SHELL format: one ExecuteBash step in the build (or test) phase. */
function wrapShellScript(name: string, type: string, script: string): string {
  const phase = type === 'TEST' ? 'test' : 'build';
  const commands = JSON.stringify(script);
  return [
    `name: ${JSON.stringify(name)}`,
    'schemaVersion: 1.0',
    'phases:',
    `  - name: ${phase}`,
    '    steps:',
    '      - name: ImportedScript',
    '        action: ExecuteBash',
    '        inputs:',
    '          commands:',
    `            - ${commands}`,
    '',
  ].join('\n');
}
