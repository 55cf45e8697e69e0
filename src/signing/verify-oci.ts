/** @module Verifies an OCI layout image offline: every blob digest of the image and its cosign signature. */
import type { KeyObject } from 'node:crypto';
import type { OciManifest } from '../oci/image/manifest.ts';
import { REF_NAME_ANNOTATION } from '../oci/image/manifest.ts';
import { COSIGN, signatureTag, type SimpleSigningPayload } from './cosign.ts';
import { verifyBytes } from './keys.ts';
import { blobMatches, findImageEntry, readIndex, readVerifiedBlob } from '../oci/image/oci-index.ts';

export interface VerifyReport {
  ok: boolean;
  /** What was checked and held. */
  checked: string[];
  /** What failed (empty when ok). */
  problems: string[];
}

async function checkImageBlobs(layoutDir: string, manifest: OciManifest, report: VerifyReport): Promise<void> {
  for (const d of [manifest.config, ...manifest.layers]) {
    if (await blobMatches(layoutDir, d)) report.checked.push(`blob ${d.digest}`);
    else report.problems.push(`blob ${d.digest} (${d.mediaType}) is missing or does not match its digest`);
  }
}

async function checkSignatures(
  layoutDir: string,
  imageDigest: string,
  key: KeyObject,
  report: VerifyReport,
): Promise<void> {
  const tag = signatureTag(imageDigest);
  const entry = (await readIndex(layoutDir)).manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === tag);
  if (!entry) return void report.problems.push(`no cosign signature (tag ${tag}) for ${imageDigest}`);
  const raw = await readVerifiedBlob(layoutDir, entry);
  if (!raw) return void report.problems.push(`signature manifest ${entry.digest} is missing or altered`);
  const sigManifest = JSON.parse(raw.toString('utf8')) as OciManifest;
  let valid = 0;
  for (const layer of sigManifest.layers.filter((l) => l.mediaType === COSIGN.payloadMediaType)) {
    const payload = await readVerifiedBlob(layoutDir, layer);
    const signature = layer.annotations?.[COSIGN.signatureAnnotation];
    if (!payload || !signature) {
      report.problems.push(`signature payload ${layer.digest} is missing or altered`);
      continue;
    }
    const claims = JSON.parse(payload.toString('utf8')) as SimpleSigningPayload;
    if (claims.critical?.image?.['docker-manifest-digest'] !== imageDigest) {
      report.problems.push(
        `signature payload names ${claims.critical?.image?.['docker-manifest-digest']}, not the image ${imageDigest}`,
      );
    } else if (!verifyBytes(payload, signature, key)) {
      report.problems.push(`cosign signature over ${layer.digest} does not verify with the given public key`);
    } else valid++;
  }
  if (valid > 0) report.checked.push(`cosign signature of ${imageDigest} (${valid} valid)`);
  else if (!report.problems.some((p) => p.includes('signature')))
    report.problems.push(`signature image ${tag} has no signature layers`);
}

/** Checks the image a tag names (every blob) and, with a key, its cosign signature. */
export async function verifyOciImage(
  layoutDir: string,
  opts: { tag?: string; key?: KeyObject },
): Promise<VerifyReport> {
  const report: VerifyReport = { ok: false, checked: [], problems: [] };
  const entry = await findImageEntry(layoutDir, opts.tag);
  const raw = await readVerifiedBlob(layoutDir, entry);
  if (!raw) {
    report.problems.push(`image manifest ${entry.digest} is missing or does not match its digest`);
  } else {
    report.checked.push(`manifest ${entry.digest}`);
    await checkImageBlobs(layoutDir, JSON.parse(raw.toString('utf8')) as OciManifest, report);
  }
  if (opts.key) await checkSignatures(layoutDir, entry.digest, opts.key, report);
  report.ok = report.problems.length === 0;
  return report;
}
