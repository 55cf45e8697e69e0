/**
 * @module ListImagePackages: the operating system packages of an image build, read from the SPDX
 * SBOM its build wrote (`sbom.spdx.json`: one package per dpkg package; a build host sends it to
 * the control plane), sorted by name, paged.
 */
import { readImageDocument } from '../../artifacts/image-documents.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import { isBuilt } from '../../images/image-states.ts';
import type {
  Image,
  ImagePackage,
  ListImagePackagesRequest,
  ListImagePackagesResponse,
} from '../../model/generated/shapes.ts';
import { readResource } from '../common/access.ts';
import type { ServiceContext } from '../common/context.ts';
import { decodeToken, encodeToken, pageSize } from '../common/pagination.ts';

const OPERATION = 'ListImagePackages';

interface SpdxDocument {
  packages?: { SPDXID?: string; name?: string; versionInfo?: string }[];
}

/** The dpkg packages listed in an SPDX document, by name. */
export function packagesOfSpdx(text: string): ImagePackage[] {
  const doc = JSON.parse(text) as SpdxDocument;
  return (doc.packages ?? [])
    .filter((p) => p.SPDXID?.startsWith('SPDXRef-Package-deb-') && p.name && p.versionInfo)
    .map((p) => ({ packageName: p.name!, packageVersion: p.versionInfo! }))
    .sort((a, b) => a.packageName!.localeCompare(b.packageName!) || a.packageVersion!.localeCompare(b.packageVersion!));
}

export async function listImagePackages(
  ctx: ServiceContext,
  input: ListImagePackagesRequest,
  home: string | undefined,
): Promise<ListImagePackagesResponse> {
  const image = await readResource<Image>(ctx, input.imageBuildVersionArn, 'imageBuildVersionArn', 'image');
  const status = image.doc.state?.status;
  if (!isBuilt(status))
    throw new IngotError(
      'InvalidRequestException',
      `The image '${image.arn}' is ${status ?? 'not built'}: its packages are known once it is AVAILABLE.`,
    );
  const text = await readImageDocument(ctx.store, home, image.arn, 'sbom.spdx.json');
  if (text === undefined)
    throw new IngotError(
      'ResourceNotFoundException',
      `The image '${image.arn}' has no package list: its build wrote no SBOM.`,
    );
  const all = packagesOfSpdx(text);
  const start = Number(decodeToken(OPERATION, input.nextToken) ?? 0);
  const size = pageSize(input.maxResults);
  const next = start + size < all.length ? encodeToken(OPERATION, String(start + size)) : undefined;
  return {
    requestId: ctx.requestId,
    imagePackageList: all.slice(start, start + size),
    ...(next ? { nextToken: next } : {}),
  };
}
