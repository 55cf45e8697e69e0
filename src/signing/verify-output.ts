/**
 * @module Verifies a signed output directory: the SHA256SUMS signature, every listed checksum, no unlisted
 * files, manifest.json's artifact digests, and the cosign signature of an OCI layout inside it.
 */
import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../oci/digest.ts';
import { listOutputFiles, parseSums, SUMS_FILE, SUMS_SIG_FILE } from './checksums.ts';
import { verifyBytes } from './keys.ts';
import { COSIGN_TAG, readIndex } from '../oci/image/oci-index.ts';
import { verifyOciImage, type VerifyReport } from './verify-oci.ts';

async function checkManifestArtifacts(dir: string, report: VerifyReport): Promise<void> {
  const text = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const artifacts = (JSON.parse(text) as { artifacts?: Array<{ path: string; sha256: string }> }).artifacts ?? [];
  for (const a of artifacts) {
    const got = await sha256File(join(dir, a.path)).catch(() => undefined);
    if (got?.digest === `sha256:${a.sha256}`) report.checked.push(`manifest.json artifact ${a.path}`);
    else
      report.problems.push(
        `manifest.json artifact ${a.path}: ${got ? `sha256 is ${got.digest.slice(7)}, manifest says ${a.sha256}` : 'missing'}`,
      );
  }
}

async function checkSums(dir: string, key: KeyObject, report: VerifyReport): Promise<void> {
  const text = await readFile(join(dir, SUMS_FILE), 'utf8').catch(() => undefined);
  const signature = await readFile(join(dir, SUMS_SIG_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return void report.problems.push(`${SUMS_FILE} is missing: the directory was not signed`);
  if (signature === undefined) report.problems.push(`${SUMS_SIG_FILE} is missing`);
  else if (!verifyBytes(text, signature, key))
    report.problems.push(`${SUMS_SIG_FILE} does not verify ${SUMS_FILE} with the given public key`);
  else report.checked.push(`${SUMS_SIG_FILE}`);
  const listed = parseSums(text, join(dir, SUMS_FILE));
  const listedPaths = new Set(listed.map((l) => l.path));
  for (const l of listed) {
    const got = await sha256File(join(dir, l.path)).catch(() => undefined);
    if (!got) report.problems.push(`${l.path}: listed in ${SUMS_FILE} but missing`);
    else if (got.digest !== `sha256:${l.sha256}`)
      report.problems.push(`${l.path}: sha256 ${got.digest.slice(7)} does not match ${SUMS_FILE} (${l.sha256})`);
    else report.checked.push(l.path);
  }
  for (const path of await listOutputFiles(dir)) {
    if (!listedPaths.has(path)) report.problems.push(`${path}: not listed in ${SUMS_FILE} (added after signing)`);
  }
}

/** Verifies an output directory with a public key; `ok` only when every check held. */
export async function verifyOutputDir(dir: string, key: KeyObject): Promise<VerifyReport> {
  const report: VerifyReport = { ok: false, checked: [], problems: [] };
  await checkSums(dir, key, report);
  await checkManifestArtifacts(dir, report);
  const layout = join(dir, 'oci');
  if (existsSync(join(layout, 'index.json'))) {
    const signed = (await readIndex(layout)).manifests.some((m) =>
      COSIGN_TAG.test(m.annotations?.['org.opencontainers.image.ref.name'] ?? ''),
    );
    const oci = await verifyOciImage(layout, signed ? { key } : {});
    report.checked.push(...oci.checked.map((c) => `oci: ${c}`));
    report.problems.push(...oci.problems.map((p) => `oci: ${p}`));
  }
  report.ok = report.problems.length === 0 && report.checked.length > 0;
  return report;
}
