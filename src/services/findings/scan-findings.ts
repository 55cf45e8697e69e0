/**
 * @module ListImageScanFindings and ListImageScanFindingAggregations: the findings each image's
 * build wrote (findings.json, from the configured Debian security tracker feed; a build host sends
 * it to the control plane), for the caller's
 * images in this region, with the API's filters and aggregations.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import { aggregateFindings, type AggregationType } from '../../findings/aggregate.ts';
import type {
  ImageScanFinding,
  ListImageScanFindingAggregationsRequest,
  ListImageScanFindingAggregationsResponse,
  ListImageScanFindingsRequest,
  ListImageScanFindingsResponse,
} from '../../model/generated/shapes.ts';
import { readImageDocument } from '../../artifacts/image-documents.ts';
import type { ServiceContext } from '../common/context.ts';
import { ownImages } from '../images/own-images.ts';
import { pageSize } from '../common/pagination.ts';

const FILTERS = ['imageBuildVersionArn', 'imagePipelineArn', 'vulnerabilityId', 'severity'] as const;
type FilterName = (typeof FILTERS)[number];

export interface FindingsDeps {
  home: string | undefined;
}

/** Every finding of the caller's images in this region, stamped with image, pipeline and account. */
async function allFindings(ctx: ServiceContext, home: string | undefined): Promise<ImageScanFinding[]> {
  const out: ImageScanFinding[] = [];
  for await (const r of ownImages(ctx)) {
    const text = await readImageDocument(ctx.store, home, r.arn, 'findings.json');
    if (!text) continue;
    const report = JSON.parse(text) as { findings?: ImageScanFinding[] };
    for (const f of report.findings ?? []) {
      out.push({
        ...f,
        awsAccountId: ctx.accountId,
        imageBuildVersionArn: r.arn,
        ...(r.doc.sourcePipelineArn ? { imagePipelineArn: r.doc.sourcePipelineArn } : {}),
      });
    }
  }
  return out;
}

function valueOf(f: ImageScanFinding, name: FilterName): string | undefined {
  if (name === 'vulnerabilityId') return f.packageVulnerabilityDetails?.vulnerabilityId;
  return f[name];
}

function pageToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const n = /^o([0-9]+)$/.exec(token);
  if (!n)
    throw new IngotError('InvalidPaginationTokenException', 'The pagination token is not valid for this operation.');
  return Number(n[1]);
}

export async function listImageScanFindings(
  ctx: ServiceContext,
  input: ListImageScanFindingsRequest,
  deps: FindingsDeps,
): Promise<ListImageScanFindingsResponse> {
  let findings = await allFindings(ctx, deps.home);
  for (const f of input.filters ?? []) {
    if (!FILTERS.includes(f.name as FilterName))
      throw new IngotError(
        'InvalidParameterValueException',
        `The filter name '${f.name}' is not valid. Valid names: ${FILTERS.join(', ')}.`,
      );
    const values = new Set(f.values ?? []);
    findings = findings.filter((x) => values.has(valueOf(x, f.name as FilterName) ?? ''));
  }
  const start = pageToken(input.nextToken);
  const size = pageSize(input.maxResults);
  const page = findings.slice(start, start + size);
  const nextToken = start + size < findings.length ? `o${start + size}` : undefined;
  return { requestId: ctx.requestId, findings: page, ...(nextToken ? { nextToken } : {}) };
}

/** No filter: by account; an image: by vulnerability; a pipeline or a vulnerability: by image. */
const AGGREGATE_BY: Record<string, AggregationType> = {
  imageBuildVersionArn: 'vulnerabilityId',
  imagePipelineArn: 'imageBuildVersionArn',
  vulnerabilityId: 'imageBuildVersionArn',
};

export async function listImageScanFindingAggregations(
  ctx: ServiceContext,
  input: ListImageScanFindingAggregationsRequest,
  deps: FindingsDeps,
): Promise<ListImageScanFindingAggregationsResponse> {
  let findings = await allFindings(ctx, deps.home);
  let type: AggregationType = 'accountId';
  if (input.filter) {
    const by = AGGREGATE_BY[input.filter.name ?? ''];
    if (!by)
      throw new IngotError(
        'InvalidParameterValueException',
        `The filter name '${input.filter.name}' is not valid. Valid names: ${Object.keys(AGGREGATE_BY).join(', ')}.`,
      );
    const values = new Set(input.filter.values ?? []);
    findings = findings.filter((x) => values.has(valueOf(x, input.filter!.name as FilterName) ?? ''));
    type = by;
  }
  if (input.nextToken !== undefined) pageToken(input.nextToken);
  return { requestId: ctx.requestId, aggregationType: type, responses: aggregateFindings(findings, type) };
}
