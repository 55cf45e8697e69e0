/**
 * @module Which instance driver an infrastructure configuration asks for: a VM (qemu) when its
 * first known instance type is in the `ingot.vm.*` family, or when the resource tag
 * `ingot:instance-driver` is `qemu`; otherwise the sandbox. See docs/instance-types.md.
 */
import { VM_INSTANCE_TYPES } from '../../cgroups/instance-types.ts';
import { IngotError } from '../../errors/ingot-error.ts';

export interface InfraConfigLike {
  instanceTypes?: readonly string[] | undefined;
  resourceTags?: Readonly<Record<string, string>> | undefined;
}

export type DriverChoice =
  | { driver: 'sandbox' }
  | { driver: 'qemu'; instanceType: string; cpus: number; memoryMiB: number };

/** The VM sizes live in the one instance-type table (src/cgroups/instance-types.ts). */
export { VM_INSTANCE_TYPES };

export const DRIVER_TAG = 'ingot:instance-driver';

export function instanceDriverFor(infra: InfraConfigLike | undefined): DriverChoice {
  const vmType = infra?.instanceTypes?.find((t) => t.startsWith('ingot.vm.'));
  if (vmType) {
    const size = VM_INSTANCE_TYPES[vmType];
    if (!size)
      throw new IngotError(
        'invalid-input',
        `instanceTypes: '${vmType}' is not a VM type (choose from ${Object.keys(VM_INSTANCE_TYPES).join(', ')})`,
      );
    return { driver: 'qemu', instanceType: vmType, ...size };
  }
  const tag = infra?.resourceTags?.[DRIVER_TAG];
  if (tag === undefined || tag === 'sandbox') return { driver: 'sandbox' };
  if (tag !== 'qemu')
    throw new IngotError('invalid-input', `resourceTags: ${DRIVER_TAG} must be 'qemu' or 'sandbox', not '${tag}'`);
  return { driver: 'qemu', instanceType: 'ingot.vm.medium', ...VM_INSTANCE_TYPES['ingot.vm.medium']! };
}
