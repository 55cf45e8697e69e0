/**
 * @module The build options that come from an infrastructure configuration and the settings table,
 * assembled once for both the API worker and `ingot build`: instance limits, qemu VM, timeout,
 * qemu accelerator and layer timestamps.
 */
import { IngotError } from '../errors/ingot-error.ts';
import { limitsForInstanceTypes, type ResourceLimits } from '../cgroups/instance-types.ts';
import { type BuildSettings, DEFAULT_BUILD_TIMEOUT_MINUTES } from '../config/settings.ts';
import { type DriverChoice, type InfraConfigLike, instanceDriverFor } from '../instance/qemu/select.ts';
import { instancePassIn } from '../instance/pass-in.ts';
import type { BuildOptions } from './build.ts';

export interface InstancePlan {
  /** The instance type whose limits the sandboxes get. */
  instanceType: string;
  limits: Required<ResourceLimits>;
  driver: DriverChoice;
  /** The qemu build instance's size, when the driver is qemu. */
  vm: { cpus: number; memoryMiB: number } | undefined;
}

/**
 * The infrastructure configuration's `ingot:disk-quota-gib` tag as bytes (`0`: no quota), undefined
 * when it has none; a value that is no non-negative number is an invalid-input error.
 */
export function diskQuotaOf(infra: { resourceTags?: Record<string, string> } | undefined): number | undefined {
  const tag = infra?.resourceTags?.['ingot:disk-quota-gib'];
  if (tag === undefined) return undefined;
  const gib = Number(tag);
  if (tag.trim() === '' || !Number.isFinite(gib) || gib < 0)
    throw new IngotError(
      'invalid-input',
      `the ingot:disk-quota-gib tag must be a number of GiB (0: no quota), not '${tag}'`,
    );
  return gib * 2 ** 30;
}

/** Limits and driver of an infrastructure configuration (`instanceTypes`, the `ingot:instance-driver` tag). */
export function instancePlan(infra: InfraConfigLike | undefined): InstancePlan {
  const { instanceType, ...limits } = limitsForInstanceTypes(infra?.instanceTypes);
  const driver = instanceDriverFor(infra);
  const vm = driver.driver === 'qemu' ? { cpus: driver.cpus, memoryMiB: driver.memoryMiB } : undefined;
  return { instanceType, limits, driver, vm };
}

/** The options the settings table decides (`timeoutMinutes` overrides INGOT_BUILD_TIMEOUT_MINUTES). */
export function settingsBuildOptions(
  settings: Partial<BuildSettings>,
  timeoutMinutes?: number,
): Pick<BuildOptions, 'timeoutMs' | 'qemuAccel' | 'sourceDateEpoch' | 'passIn' | 'systemdRouting' | 'diskQuotaBytes'> {
  return {
    ...(settings.buildDiskQuotaGib ? { diskQuotaBytes: settings.buildDiskQuotaGib * 2 ** 30 } : {}),
    passIn: instancePassIn(settings),
    systemdRouting: settings.systemdRouting !== 'off',
    timeoutMs: (timeoutMinutes ?? settings.buildTimeoutMinutes ?? DEFAULT_BUILD_TIMEOUT_MINUTES) * 60_000,
    ...(settings.qemuAccel ? { qemuAccel: settings.qemuAccel } : {}),
    ...(settings.sourceDateEpoch !== undefined ? { sourceDateEpoch: settings.sourceDateEpoch } : {}),
  };
}
