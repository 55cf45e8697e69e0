/**
 * @module A finished image build's output directory without a build: a small file standing in for
 * the rootfs tarball, named in a manifest.json with its digest, for tests of what comes after the
 * build (distribution, its crash recovery and timeouts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OutputManifest, sha256File, writeManifest } from '../../src/artifacts/manifest.ts';

export async function writeFakeRootfsOutput(outputDir: string, name: string): Promise<OutputManifest> {
  mkdirSync(outputDir, { recursive: true });
  const content = 'not really a tarball\n';
  writeFileSync(join(outputDir, 'rootfs.tar.zst'), content);
  const manifest: OutputManifest = {
    name,
    version: '1.0.0',
    kind: 'image',
    createdAt: new Date().toISOString(),
    parent: 'debian-12',
    artifacts: [
      {
        path: 'rootfs.tar.zst',
        format: 'rootfs-tar-zstd',
        sha256: await sha256File(join(outputDir, 'rootfs.tar.zst')),
        sizeBytes: Buffer.byteLength(content),
      },
    ],
    layers: [],
    stages: {},
    tests: 'skipped',
  };
  await writeManifest(outputDir, manifest);
  return manifest;
}
