/** @module CycloneDX 1.6 JSON BOM for an image's package inventory (one library component per dpkg package). */
import { randomUUID } from 'node:crypto';
import type { Inventory, InventoryPackage } from './inventory.ts';
import type { SbomSubject } from './spdx.ts';

/** Property names Ingot adds to components (read back by the vulnerability matcher). */
export const CDX_PROPERTIES = {
  source: 'ingot:deb:source',
  sourceVersion: 'ingot:deb:sourceVersion',
  architecture: 'ingot:deb:architecture',
  checksumOf: 'ingot:deb:checksumOf',
} as const;

/** Single SPDX ids become `license.id`; anything else (expressions, Debian-only names) `license.name`. */
function cdxLicenses(p: InventoryPackage): Array<{ license: { id: string } | { name: string } }> {
  const seen = new Set<string>();
  const out: Array<{ license: { id: string } | { name: string } }> = [];
  p.licenses.debian.forEach((short, i) => {
    const spdx = p.licenses.spdx[i]!;
    const isId = !spdx.startsWith('LicenseRef-') && !/\s/.test(spdx);
    const key = isId ? `id:${spdx}` : `name:${short}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ license: isId ? { id: spdx } : { name: short } });
  });
  return out;
}

function component(p: InventoryPackage): Record<string, unknown> {
  const licenses = cdxLicenses(p);
  return {
    type: 'library',
    'bom-ref': p.purl,
    ...(p.maintainer ? { supplier: { name: p.maintainer } } : {}),
    name: p.name,
    version: p.version,
    ...(p.summary ? { description: p.summary } : {}),
    ...(p.sha256 ? { hashes: [{ alg: 'SHA-256', content: p.sha256 }] } : {}),
    ...(licenses.length ? { licenses } : {}),
    purl: p.purl,
    ...(p.homepage ? { externalReferences: [{ type: 'website', url: p.homepage }] } : {}),
    properties: [
      { name: CDX_PROPERTIES.source, value: p.source },
      { name: CDX_PROPERTIES.sourceVersion, value: p.sourceVersion },
      { name: CDX_PROPERTIES.architecture, value: p.architecture },
      ...(p.checksumOf
        ? [{ name: CDX_PROPERTIES.checksumOf, value: `var/lib/dpkg/info/${p.name}.${p.checksumOf}` }]
        : []),
    ],
  };
}

export function buildCycloneDxBom(inventory: Inventory, subject: SbomSubject): Record<string, unknown> {
  const timestamp = (subject.created ?? new Date().toISOString()).replace(/\.\d+Z$/, 'Z');
  const rootRef = `image:${subject.name}@${subject.version}`;
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp,
      tools: {
        components: [
          {
            type: 'application',
            name: 'ingot',
            ...(subject.tool ? { version: subject.tool.replace(/^ingot-/, '') } : {}),
          },
        ],
      },
      component: {
        type: 'container',
        'bom-ref': rootRef,
        name: subject.name,
        version: subject.version,
        description: `${inventory.distro.prettyName} image`,
      },
    },
    components: inventory.packages.map(component),
    dependencies: [{ ref: rootRef, dependsOn: inventory.packages.map((p) => p.purl) }],
  };
}
