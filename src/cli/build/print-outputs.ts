/** @module What `ingot build` prints on stdout when it succeeds: each artifact, the manifest, a container's image reference. */
import { join } from 'node:path';
import type { OutputManifest } from '../../artifacts/manifest.ts';

export function printOutputs(outputDir: string, manifest: OutputManifest, manifestPath: string): void {
  for (const a of manifest.artifacts)
    process.stdout.write(`${join(outputDir, a.path)}\t${a.format}\tsha256:${a.sha256}\n`);
  process.stdout.write(`${manifestPath}\tmanifest\n`);
  if (manifest.kind === 'container') printImageReference(outputDir, manifest.version);
}

/**
 * The layout's index.json also lists the image's SBOM referrers (and signature), so tools that
 * take the only image of a layout (`skopeo inspect oci:DIR`) ask for a tag: print the exact one.
 */
function printImageReference(outputDir: string, tag: string): void {
  const ref = `oci:${join(outputDir, 'oci')}:${tag}`;
  process.stdout.write(`${ref}\toci-image\n`);
  process.stderr.write(`ingot build: the image is ${ref} (e.g. skopeo inspect ${ref})\n`);
}
