/**
 * @module The one instance-type table: Image Builder instance types mapped to the resource limits a
 * sandbox build gets, so a recipe's `instanceTypes` (e.g. ["t3.medium"]) means something on a
 * self-hosted machine, and the `ingot.vm.*` sizes of qemu build instances. See docs/instance-types.md.
 */

export interface ResourceLimits {
  /** CPU time as a number of CPUs (fractions allowed). */
  cpus?: number;
  memoryMiB?: number;
  /** Maximum number of processes/threads. */
  pids?: number;
}

/**
 * vCPU and memory of EC2 instance types as AWS publishes them, plus Ingot's own sizes. A build
 * never gets more than the host has: the limits are ceilings enforced by cgroups, not reservations.
 */
export const INSTANCE_TYPES: Readonly<Record<string, Required<ResourceLimits>>> = {
  't3.micro': { cpus: 2, memoryMiB: 1024, pids: 4096 },
  't3.small': { cpus: 2, memoryMiB: 2048, pids: 4096 },
  't3.medium': { cpus: 2, memoryMiB: 4096, pids: 8192 },
  't3.large': { cpus: 2, memoryMiB: 8192, pids: 8192 },
  't3.xlarge': { cpus: 4, memoryMiB: 16384, pids: 16384 },
  'm5.large': { cpus: 2, memoryMiB: 8192, pids: 8192 },
  'm5.xlarge': { cpus: 4, memoryMiB: 16384, pids: 16384 },
  'm5.2xlarge': { cpus: 8, memoryMiB: 32768, pids: 32768 },
  'c5.large': { cpus: 2, memoryMiB: 4096, pids: 8192 },
  'c5.xlarge': { cpus: 4, memoryMiB: 8192, pids: 16384 },
  'c5.2xlarge': { cpus: 8, memoryMiB: 16384, pids: 32768 },
  'r5.large': { cpus: 2, memoryMiB: 16384, pids: 8192 },
  'ingot.small': { cpus: 1, memoryMiB: 1024, pids: 2048 },
  'ingot.medium': { cpus: 2, memoryMiB: 4096, pids: 8192 },
  'ingot.large': { cpus: 4, memoryMiB: 8192, pids: 16384 },
};

/** The qemu VM sizes (an `ingot.vm.*` type builds image recipes in a VM); the driver tag alone gives `ingot.vm.medium`. */
export const VM_INSTANCE_TYPES: Readonly<Record<string, { cpus: number; memoryMiB: number }>> = {
  'ingot.vm.small': { cpus: 1, memoryMiB: 1024 },
  'ingot.vm.medium': { cpus: 2, memoryMiB: 2048 },
  'ingot.vm.large': { cpus: 4, memoryMiB: 4096 },
};

/** Every instance type Ingot knows, sandbox sizes then VM sizes. */
export const KNOWN_INSTANCE_TYPES: readonly string[] = [
  ...Object.keys(INSTANCE_TYPES),
  ...Object.keys(VM_INSTANCE_TYPES),
];

export const isKnownInstanceType = (t: string): boolean =>
  Object.hasOwn(INSTANCE_TYPES, t) || Object.hasOwn(VM_INSTANCE_TYPES, t);

/** What a build gets when its infrastructure configuration names no (known) instance type. */
export const DEFAULT_INSTANCE_TYPE = 'ingot.medium';

/**
 * Limits for the first known type of `types` (Image Builder tries instance types in order too);
 * unknown names are skipped, and none known means `DEFAULT_INSTANCE_TYPE`.
 */
export function limitsForInstanceTypes(
  types: readonly string[] | undefined,
): Required<ResourceLimits> & { instanceType: string } {
  const known = (types ?? []).find((t) => Object.hasOwn(INSTANCE_TYPES, t));
  const instanceType = known ?? DEFAULT_INSTANCE_TYPE;
  const limits = INSTANCE_TYPES[instanceType];
  if (!limits) throw new Error(`instance type table lacks ${instanceType}`);
  return { ...limits, instanceType };
}
