/**
 * @module `manifest.json` of a build's output directory: every artifact with its format, size and
 * sha256, plus the layers and timings of the build.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { EvidenceSummary } from '../evidence.ts';

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
  /** True when the outputs were linked from an identical earlier build instead of being made. */
  reused?: boolean;
  /** SBOM package count, findings, compliance scores, whether the OCI image is signed. */
  evidence?: EvidenceSummary;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function describeArtifact(outputDir: string, path: string, format: string): Promise<Artifact> {
  const [sha256, info] = await Promise.all([sha256File(path), stat(path)]);
  return { path: relative(outputDir, path), format, sha256, sizeBytes: info.size };
}

export async function writeManifest(outputDir: string, manifest: OutputManifest): Promise<string> {
  const file = join(outputDir, 'manifest.json');
  await writeFile(file, JSON.stringify(manifest, null, 2) + '\n');
  return file;
}
