/**
 * @module What a build is asked to make, resolved and independent of where the request came from
 * (the API's image records or `ingot build FILE`): a parent, component documents with their
 * parameters, and for container images the Dockerfile template.
 */
import type { DiskFormat } from '../disk/formats/index.ts';
import type { BlockDeviceMapping } from '../disk/layout.ts';
import type { BootMode } from '../disk/grub.ts';
import type { ManagedBaseName } from '../bases/catalogue.ts';
import type { ComponentDocument } from '../toe/document/types.ts';

export interface BuildComponent {
  /** Name and version shown in logs and image history. */
  name: string;
  version: string;
  /** The component's ARN when it has one (managed or stored components). */
  arn?: string;
  /** The document text exactly as stored (part of the cache key). */
  text: string;
  document: ComponentDocument;
  parameters: Readonly<Record<string, string>>;
}

export const OUTPUT_KINDS = ['image', 'container'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

export interface BuildRequest {
  kind: OutputKind;
  name: string;
  version: string;
  /**
   * Where the build starts: a managed base name (`debian-12`, `debian-13`), an absolute path to a
   * rootfs tarball, `oci:DIR[:TAG]` / `oci-archive:FILE[:TAG]`, or layers of an earlier Ingot image.
   */
  parent: ParentSpec;
  components: BuildComponent[];
  /** Container recipes: the Dockerfile template (ENTRYPOINT, CMD, ENV...). */
  dockerfileTemplate?: string;
  /** Working directory for component steps (recipe `workingDirectory`). */
  workingDirectory?: string;
  /** Run the test phases in a fresh instance after the build (default true). */
  runTests: boolean;
  /** Image recipes: bootable disk formats to write instead of the rootfs tarball (tests then boot the disk). */
  diskFormats?: DiskFormat[];
  /** Image recipes: EC2 block device mappings (root volume size, extra volumes) for the disks. */
  blockDeviceMappings?: BlockDeviceMapping[];
  /** Image recipes: the firmware the disk boots under (tag `ingot:boot-mode`; default hybrid). */
  bootMode?: BootMode;
  /** Image recipes: false leaves cloud-init out of the disk (tag `ingot:cloud-init: off`). */
  cloudInit?: boolean;
}

export type ParentSpec =
  | { type: 'managed'; base: ManagedBaseName }
  | { type: 'rootfs-tarball'; path: string }
  | { type: 'oci'; reference: string }
  | { type: 'layers'; lowerDirs: string[]; key: string; osVersion?: string };

/** The default parent of a recipe that names none (documented in README). */
export const DEFAULT_PARENT: ParentSpec = { type: 'managed', base: 'debian-12' };
