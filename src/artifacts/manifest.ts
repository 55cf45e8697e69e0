/**
 * @module `manifest.json` of a build's output directory: every artifact with its format, size and
 * sha256, plus the layers and timings of the build.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File as sha256OfFile } from '../oci/digest.ts';

export interface Artifact {
  /** Relative to the output directory. */
  path: string;
  format: string;
  sha256: string;
  sizeBytes: number;
}

export interface OutputManifest {
  name: string;
  version: string;
  kind: 'image' | 'container';
  createdAt: string;
  parent: string;
  artifacts: Artifact[];
  layers: { component: string; digest: string; diffId: string; size: number; cached: boolean }[];
  stages: Record<string, number>;
  tests: 'passed' | 'skipped';
  /** True when the outputs were copied from an identical earlier build instead of being made. */
  reused?: boolean;
  /** SBOM package count, findings, compliance scores, whether the OCI image is signed. */
  evidence?: EvidenceSummary;
}

/** The sha256 of a file as manifest.json records it (hex, no `sha256:` prefix). */
export async function sha256File(path: string): Promise<string> {
  return (await sha256OfFile(path)).digest.slice('sha256:'.length);
}

export async function writeManifest(outputDir: string, manifest: OutputManifest): Promise<string> {
  const file = join(outputDir, 'manifest.json');
  await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}

/** What the evidence stage found, as the manifest records it. */
export interface EvidenceSummary {
  packages: number;
  findings?: { total: number; bySeverity: Record<string, number> };
  compliance?: { openscapPassRate?: number; lynisHardeningIndex?: number; skipped: Record<string, string> };
  signed: boolean;
}
