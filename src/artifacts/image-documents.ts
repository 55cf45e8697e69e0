/**
 * @module The documents a build writes next to its outputs that the API serves (manifest, SBOMs,
 * findings): read from the image's output directory on this data directory, else from the store,
 * where a build host sends them through the worker API (its output directory is on its own disk).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../store/types.ts';
import { imageOutputDir } from './output-dirs.ts';

/** The documents a build host sends to the control plane after a build. */
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
  const local = home ? await readFile(join(imageOutputDir(home, arn), name), 'utf8').catch(() => undefined) : undefined;
  return local ?? (await store.imageDocuments.get(arn, name));
}

/**
 * Whether the image was built on a build host (`ingot worker --control-plane`): only those send
 * their manifest to the store. Its outputs are then in that host's data directory, out of the
 * servers' reach.
 */
export async function builtOnBuildHost(store: Pick<Store, 'imageDocuments'>, arn: string): Promise<boolean> {
  return (await store.imageDocuments.get(arn, 'manifest.json')) !== undefined;
}
