/** @module One call for the build: a root file system → `sbom.spdx.json` + `sbom.cdx.json` in a directory. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCycloneDxBom } from './cyclonedx.ts';
import { readInventory, type Inventory } from './inventory.ts';
import { buildSpdxDocument, type SbomSubject } from './spdx.ts';

export const SBOM_FILES = { spdx: 'sbom.spdx.json', cycloneDx: 'sbom.cdx.json' } as const;

export interface GenerateSbomsOptions extends SbomSubject {
  /** The image's root file system (its packages come from var/lib/dpkg/status; without one the SBOMs list none). */
  rootfsDir: string;
  /** Where the two files go (created when missing), e.g. `OUTPUT/sbom`. */
  outDir: string;
  /** Stops reading the image on abort. */
  signal?: AbortSignal;
}

export interface GeneratedSboms {
  spdxPath: string;
  cycloneDxPath: string;
  packageCount: number;
  /** The package database read (`/var/lib/dpkg/status`); absent when the image has none, so the SBOMs list no packages. */
  packageDatabase?: string;
  /** Packages whose copyright file named at least one license. */
  packagesWithLicense: number;
  durationMs: number;
  inventory: Inventory;
}

/** Reads the dpkg database (if any) and copyright files of `rootfsDir` and writes SPDX 2.3 and CycloneDX 1.6 JSON. */
export async function generateSboms(opts: GenerateSbomsOptions): Promise<GeneratedSboms> {
  const started = performance.now();
  const inventory = await readInventory(opts.rootfsDir, opts.signal);
  return writeSboms(inventory, opts, started);
}

/** The two SBOM documents of an inventory read before (inventory-reuse.ts) or just now. */
export async function writeSboms(
  inventory: Inventory,
  opts: Omit<GenerateSbomsOptions, 'rootfsDir' | 'signal'>,
  started = performance.now(),
): Promise<GeneratedSboms> {
  const subject: SbomSubject = {
    name: opts.name,
    version: opts.version,
    ...(opts.created ? { created: opts.created } : {}),
    tool: opts.tool ?? 'ingot',
  };
  await mkdir(opts.outDir, { recursive: true });
  const spdxPath = join(opts.outDir, SBOM_FILES.spdx);
  const cycloneDxPath = join(opts.outDir, SBOM_FILES.cycloneDx);
  await Promise.all([
    writeFile(spdxPath, `${JSON.stringify(buildSpdxDocument(inventory, subject), null, 2)}\n`),
    writeFile(cycloneDxPath, `${JSON.stringify(buildCycloneDxBom(inventory, subject), null, 2)}\n`),
  ]);
  return {
    spdxPath,
    cycloneDxPath,
    packageCount: inventory.packages.length,
    ...(inventory.packageDatabase ? { packageDatabase: inventory.packageDatabase } : {}),
    packagesWithLicense: inventory.packages.filter((p) => p.licenses.debian.length > 0).length,
    durationMs: Math.round(performance.now() - started),
    inventory,
  };
}
