/**
 * @module The `ingot:*` resource tags of the settings table: which resource each goes on, its
 * parser and doc line. Services check them when the resource is created, updated or tagged
 * (`checkIngotTags`), so a bad value is a 400 naming the tag, not a build failing at its end.
 */
import * as v from 'valibot';
import { IngotError } from '../errors/ingot-error.ts';
import { oneOf, type Parser } from './setting-parsers.ts';

export type TaggedResource = 'infrastructure configuration' | 'distribution configuration' | 'image recipe';

export interface TagSetting {
  tag: string;
  on: TaggedResource;
  parse: Parser<unknown>;
  doc: string;
}

/** Kept equal to src/findings/severity.ts by a test (config sits below findings). */
export const TAG_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'] as const;
/** Kept equal to src/disk/grub.ts's BOOT_MODES by a test. */
export const TAG_BOOT_MODES = ['hybrid', 'uefi', 'bios'] as const;
/** Kept equal to src/disk/formats/table.ts's DISK_FORMATS by a test (config sits below disk). */
export const TAG_DISK_FORMATS = ['raw', 'qcow2', 'vmdk', 'vhdx', 'vhd', 'ova'] as const;

/** An image recipe's output: a bootable disk format, or `tar` for the root file system tarball alone. */
export type ImageOutputFormat = (typeof TAG_DISK_FORMATS)[number] | 'tar';

/** A comma-separated list of disk formats, or `tar` alone (env strings; JSON arrays in the config file). */
export const imageFormatList: Parser<readonly ImageOutputFormat[]> = v.pipe(
  v.union([v.string(), v.array(v.string())]),
  v.transform((x) => (typeof x === 'string' ? x.split(',') : x).map((f) => f.trim().toLowerCase()).filter(Boolean)),
  v.array(oneOf([...TAG_DISK_FORMATS, 'tar'] as const)),
  v.check((l) => l.length > 0, 'must name at least one format'),
  v.check((l) => !l.includes('tar') || l.length === 1, '`tar` (no disk) cannot be combined with disk formats'),
);

const severity = v.pipe(
  v.string(),
  v.transform((s) => s.toUpperCase()),
  oneOf(TAG_SEVERITIES),
);

const diskFormats = v.pipe(
  v.string(),
  v.transform((s) =>
    s
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean),
  ),
  v.array(oneOf(TAG_DISK_FORMATS)),
);

export const TAGS: readonly TagSetting[] = [
  {
    tag: 'ingot:instance-driver',
    on: 'infrastructure configuration',
    parse: oneOf(['qemu', 'sandbox'] as const),
    doc: '`qemu` builds and tests in a VM (`ingot.vm.medium`) without a VM instance type; `sandbox` (default) in namespaces',
  },
  {
    tag: 'ingot:fail-on-severity',
    on: 'infrastructure configuration',
    parse: severity,
    doc: `fail the build when a finding is at least this severity (${TAG_SEVERITIES.join(', ')})`,
  },
  {
    tag: 'ingot:compliance',
    on: 'infrastructure configuration',
    parse: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]+$/, 'must be an SSG profile id such as cis_level1_server')),
    doc: 'score the image against this SSG profile with OpenSCAP and Lynis (e.g. `cis_level1_server`)',
  },
  {
    tag: 'ingot:disk-formats',
    on: 'distribution configuration',
    parse: diskFormats,
    doc: `extra disk images an image recipe's build writes, comma-separated (${TAG_DISK_FORMATS.join(', ')})`,
  },
  {
    tag: 'ingot:boot-mode',
    on: 'image recipe',
    parse: oneOf(TAG_BOOT_MODES),
    doc: '`uefi` or `bios` pins the firmware the disk boots under (no ESP, or no BIOS boot code); `hybrid` (default) boots under both, with Secure Boot',
  },
  {
    tag: 'ingot:cloud-init',
    on: 'image recipe',
    parse: oneOf(['on', 'off'] as const),
    doc: "`off` leaves cloud-init out of the disk (appliances): Ingot's first-boot unit then makes the host keys and reads a NoCloud seed's SSH keys",
  },
];

/** Throws a 400-class `invalid-input` naming the first bad `ingot:*` tag of `on`; unknown `ingot:*` keys pass. */
export function checkIngotTags(on: TaggedResource, tags: Readonly<Record<string, string>> | undefined): void {
  for (const t of TAGS) {
    if (t.on !== on || tags?.[t.tag] === undefined) continue;
    const r = v.safeParse(t.parse, tags[t.tag]);
    if (!r.success)
      throw new IngotError(
        'invalid-input',
        `tag ${t.tag}: ${r.issues[0].message}, got '${tags[t.tag]}' (see the README's configuration table)`,
      );
  }
}
