/** @module SPDX 2.3 JSON document for an image's package inventory (one package per dpkg package). */
import { randomUUID } from 'node:crypto';
import type { Inventory, InventoryPackage } from './inventory.ts';

export interface SbomSubject {
  /** Image name (e.g. `my-recipe`). */
  name: string;
  /** Image version (e.g. `1.0.0/1`). */
  version: string;
  /** ISO-8601 creation time (default: now); fixed for reproducible documents. */
  created?: string;
  /** Tool string, e.g. `ingot-0.1.0`. */
  tool?: string;
}

/** SPDX idstring: letters, digits, '.' and '-' only. */
const idPart = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-');
export const spdxPackageId = (p: Pick<InventoryPackage, 'name' | 'architecture'>) =>
  `SPDXRef-Package-deb-${idPart(p.name)}-${idPart(p.architecture)}`;

/** `Name <mail>` → SPDX actor `Person: Name (mail)`. */
function supplier(maintainer: string | undefined): string {
  if (!maintainer) return 'NOASSERTION';
  const m = /^(.*?)\s*<([^>]*)>\s*$/.exec(maintainer);
  return m ? `Person: ${m[1]} (${m[2]})` : `Person: ${maintainer}`;
}

/** `A AND (B OR C)`: the package carries all the licenses its copyright file names. */
export function declaredExpression(spdx: readonly string[]): string {
  if (spdx.length === 0) return 'NOASSERTION';
  const unique = [...new Set(spdx)];
  return unique.map((e) => (unique.length > 1 && /\s/.test(e) ? `(${e})` : e)).join(' AND ');
}

function spdxPackage(p: InventoryPackage): Record<string, unknown> {
  return {
    SPDXID: spdxPackageId(p),
    name: p.name,
    versionInfo: p.version,
    supplier: supplier(p.maintainer),
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    ...(p.sha256 ? { checksums: [{ algorithm: 'SHA256', checksumValue: p.sha256 }] } : {}),
    ...(p.homepage ? { homepage: p.homepage } : {}),
    sourceInfo: `built from Debian source package ${p.source} ${p.sourceVersion}`,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: declaredExpression(p.licenses.spdx),
    copyrightText: 'NOASSERTION',
    ...(p.summary ? { summary: p.summary } : {}),
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
    primaryPackagePurpose: 'LIBRARY',
  };
}

/** The SPDX 2.3 document: the image as the described root package, which CONTAINS every dpkg package. */
export function buildSpdxDocument(inventory: Inventory, subject: SbomSubject): Record<string, unknown> {
  const created = (subject.created ?? new Date().toISOString()).replace(/\.\d+Z$/, 'Z');
  const rootId = 'SPDXRef-Image';
  const refs = new Map<string, string>();
  inventory.packages.forEach((p) =>
    p.licenses.debian.forEach((d, i) => {
      const id = p.licenses.spdx[i]!;
      if (id.startsWith('LicenseRef-')) refs.set(id, d);
    }),
  );
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${subject.name}-${subject.version}`,
    documentNamespace: `https://ingot.invalid/spdx/${encodeURIComponent(subject.name)}/${encodeURIComponent(subject.version)}/${randomUUID()}`,
    creationInfo: { created, creators: [`Tool: ${subject.tool ?? 'ingot'}`], licenseListVersion: '3.25' },
    documentDescribes: [rootId],
    packages: [
      {
        SPDXID: rootId,
        name: subject.name,
        versionInfo: subject.version,
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
        primaryPackagePurpose: 'CONTAINER',
        comment: `${inventory.distro.prettyName} image`,
      },
      ...inventory.packages.map(spdxPackage),
    ],
    hasExtractedLicensingInfos: [...refs].sort().map(([licenseId, short]) => ({
      licenseId,
      name: short,
      extractedText: `Debian copyright-format license short name '${short}' (text in usr/share/doc/*/copyright).`,
    })),
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: rootId },
      ...inventory.packages.map((p) => ({
        spdxElementId: rootId,
        relationshipType: 'CONTAINS',
        relatedSpdxElement: spdxPackageId(p),
      })),
    ],
  };
}
