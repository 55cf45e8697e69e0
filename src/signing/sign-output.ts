/** @module One call for the build: sign an output directory (its OCI image with cosign, then SHA256SUMS). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { signOciImage, type OciSignature } from './cosign.ts';
import { writeSignedChecksums, type SignedChecksums } from './checksums.ts';
import { loadPrivateKey } from './keys.ts';

export interface SignOutputOptions {
  outputDir: string;
  /** PEM private key (from `--key` or INGOT_SIGNING_KEY, see `signingKeyPath`). */
  keyPath: string;
  /** cosign docker-reference for the OCI image in `outputDir/oci` (e.g. the repository it is pushed to). */
  dockerReference?: string;
  /** Tag of the image in `outputDir/oci` (optional when it holds one image). */
  tag?: string;
}

export interface SignedOutput {
  oci?: OciSignature;
  checksums: SignedChecksums;
}

/**
 * Signs `outputDir`: the OCI layout's image first (so the signature blobs are covered too), then every file
 * into SHA256SUMS + SHA256SUMS.sig. Call it last: any file written afterwards fails `ingot verify`.
 */
export async function signOutputDir(opts: SignOutputOptions): Promise<SignedOutput> {
  const key = await loadPrivateKey(opts.keyPath);
  const layout = join(opts.outputDir, 'oci');
  let oci: OciSignature | undefined;
  if (existsSync(join(layout, 'index.json'))) {
    oci = await signOciImage({
      layoutDir: layout,
      key,
      dockerReference: opts.dockerReference ?? 'ingot.local/image',
      ...(opts.tag ? { tag: opts.tag } : {}),
    });
  }
  const checksums = await writeSignedChecksums(opts.outputDir, key);
  return { ...(oci ? { oci } : {}), checksums };
}
