/**
 * @module Disk sizes from a recipe's blockDeviceMappings (EC2 shape): the root device's
 * ebs.volumeSize (GiB) sizes the boot disk; every other mapping with a volumeSize becomes an
 * extra, empty disk file. Mappings with noDevice or virtualName (instance store) make nothing.
 */
import { IngotError } from '../errors/ingot-error.ts';

export interface BlockDeviceMapping {
  deviceName?: string;
  ebs?: {
    volumeSize?: number;
    volumeType?: string;
    deleteOnTermination?: boolean;
    encrypted?: boolean;
    iops?: number;
    throughput?: number;
    snapshotId?: string;
    kmsKeyId?: string;
  };
  virtualName?: string;
  noDevice?: string;
}

/** Root device names an EC2 image may use; the first mapping with one of them is the boot disk. */
export const ROOT_DEVICE_NAMES = ['/dev/xvda', '/dev/sda1', '/dev/sda', '/dev/vda', '/dev/nvme0n1'] as const;

/** AWS's default root volume for Linux images. */
export const DEFAULT_ROOT_GIB = 8;

export interface DiskLayout {
  rootGiB: number;
  /** Whether the size came from the recipe (an image that does not fit is then the user's error). */
  rootFromRecipe: boolean;
  extraVolumes: { name: string; deviceName: string; sizeGiB: number }[];
}

export function diskLayout(mappings: readonly BlockDeviceMapping[] | undefined): DiskLayout {
  const live = (mappings ?? []).filter((m) => m.noDevice === undefined && m.virtualName === undefined);
  const root = live.find((m) => (ROOT_DEVICE_NAMES as readonly string[]).includes(m.deviceName ?? ''));
  const layout: DiskLayout = { rootGiB: DEFAULT_ROOT_GIB, rootFromRecipe: false, extraVolumes: [] };
  for (const [i, m] of live.entries()) {
    const size = m.ebs?.volumeSize;
    const where = `blockDeviceMappings[${i}] (${m.deviceName ?? 'no deviceName'})`;
    if (size === undefined) continue;
    if (!Number.isInteger(size) || size < 1 || size > 16384)
      throw new IngotError(
        'invalid-input',
        `${where}: ebs.volumeSize must be a whole number of GiB from 1 to 16384, not ${size}`,
      );
    if (m === root) {
      layout.rootGiB = size;
      layout.rootFromRecipe = true;
      continue;
    }
    if (!m.deviceName) throw new IngotError('invalid-input', `${where}: an extra volume needs a deviceName`);
    const name = m.deviceName.replace(/^\/dev\//, '').replace(/[^A-Za-z0-9]+/g, '-');
    if (layout.extraVolumes.some((v) => v.name === name))
      throw new IngotError('invalid-input', `${where}: device ${m.deviceName} is mapped twice`);
    layout.extraVolumes.push({ name, deviceName: m.deviceName, sizeGiB: size });
  }
  return layout;
}
