/**
 * @module The documents a build writes next to its outputs that the API serves (manifest, SBOMs,
 * findings): every worker keeps them in the store once the image is built (the in-process one
 * directly, a build host through the worker API), so every API server reads them; an image built
 * before they were kept there is read from its output directory on this data directory.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../store/types.ts';
import { imageOutputDir } from './output-dirs.ts';

/** The documents a worker keeps in the store after a build. */
export const IMAGE_DOCUMENTS = ['manifest.json', 'sbom.spdx.json', 'sbom.cdx.json', 'findings.json'] as const;
export type ImageDocumentName = (typeof IMAGE_DOCUMENTS)[number];

/** The largest document the worker API takes (an SBOM of a large image is a few MiB). */
export const IMAGE_DOCUMENT_MAX_BYTES = 32 * 1024 * 1024;

/** The document `name` of image `arn`, or undefined when its build wrote none (or it is gone). */
export async function readImageDocument(
  store: Pick<Store, 'imageDocuments'>,
  home: string | undefined,
  arn: string,
  name: ImageDocumentName,
): Promise<string | undefined> {
  const kept = await store.imageDocuments.get(arn, name);
  if (kept !== undefined || !home) return kept;
  return readFile(join(imageOutputDir(home, arn), name), 'utf8').catch(() => undefined);
}

/** Each document the build wrote in `outputDir` (those it did not write are left out). */
export async function* builtDocuments(outputDir: string): AsyncGenerator<{ name: ImageDocumentName; body: string }> {
  for (const name of IMAGE_DOCUMENTS) {
    const body = await readFile(join(outputDir, name), 'utf8').catch(() => undefined);
    if (body !== undefined) yield { name, body };
  }
}

/** The store's mark that a build host built the image (the worker API sets it with its manifest). */
export const BUILD_HOST_MARK = 'built-on-build-host';

/**
 * Whether the image was built on a build host (`ingot worker --control-plane`): its outputs are then
 * in that host's data directory, out of the servers' reach.
 */
export async function builtOnBuildHost(store: Pick<Store, 'imageDocuments'>, arn: string): Promise<boolean> {
  return (await store.imageDocuments.get(arn, BUILD_HOST_MARK)) !== undefined;
}
