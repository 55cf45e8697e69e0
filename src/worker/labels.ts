/**
 * @module What a build host can run (its labels: architecture, working KVM, instance types, free
 * disk) and what a job needs (from its image's infrastructure configuration); the control plane
 * hands a job only to a worker whose labels fit it.
 */
import { statfs } from 'node:fs/promises';
import { machine } from 'node:os';
import { INSTANCE_TYPES, VM_INSTANCE_TYPES } from '../cgroups/instance-types.ts';
import { instancePlan } from '../engine/build-settings.ts';
import { chooseAccel, type Accel } from '../instance/qemu/accel.ts';
import type { Image } from '../model/generated/shapes.ts';
import { hasTool } from '../process/index.ts';

export interface WorkerLabels {
  /** `x86_64` or `aarch64` (the kernel's name for the machine). */
  arch: string;
  /** Whether a probe guest ran under KVM about as fast as under TCG (else qemu builds use TCG). */
  kvm: boolean;
  /** The instance types this host builds (sandbox sizes; VM sizes only where qemu is installed). */
  instanceTypes: string[];
  /** Free space of the data directory, GiB. */
  freeGib: number;
}

export interface JobNeeds {
  arch: string;
  /** The instance type the build runs on (a VM type for VM builds). */
  instanceType: string;
  minFreeGib: number;
}

/** AWS's Graviton families (a `g` after the generation: t4g, m7g, c7gn) are arm64; every other type is x86_64. */
export const archOfInstanceType = (type: string): string => (/^[a-z]+\d+g[a-z]*\./.test(type) ? 'aarch64' : 'x86_64');

/** What the job of `image` needs; an image without an infrastructure configuration needs the default type. */
export function needsOf(image: Image | undefined, minFreeGib: number): JobNeeds {
  let instanceType: string;
  try {
    const plan = instancePlan(image?.infrastructureConfiguration);
    instanceType = plan.driver.driver === 'qemu' ? plan.driver.instanceType : plan.instanceType;
  } catch {
    // A bad VM type fails the build itself with its reason; any worker may report it.
    instanceType = instancePlan(undefined).instanceType;
  }
  const named = image?.infrastructureConfiguration?.instanceTypes?.[0];
  return { arch: archOfInstanceType(named ?? instanceType), instanceType, minFreeGib };
}

/** Why a worker with `labels` cannot run a job that `needs` this, or undefined when it can. */
export function mismatch(labels: WorkerLabels, needs: JobNeeds): string | undefined {
  if (labels.arch !== needs.arch) return `needs ${needs.arch}, the worker is ${labels.arch}`;
  if (!labels.instanceTypes.includes(needs.instanceType)) return `needs instance type ${needs.instanceType}`;
  if (labels.freeGib < needs.minFreeGib) return `needs ${needs.minFreeGib} GiB free, the worker has ${labels.freeGib}`;
  return undefined;
}

/** This host's labels (`instanceTypes` narrows what it offers; the KVM probe runs once per process). */
export async function detectLabels(home: string, opts: { instanceTypes?: string[]; qemuAccel?: Accel } = {}) {
  const vm = await hasTool('qemu-system-x86_64');
  const offered = [...Object.keys(INSTANCE_TYPES), ...(vm ? Object.keys(VM_INSTANCE_TYPES) : [])];
  const kvm = vm && (await chooseAccel(opts.qemuAccel)) === 'kvm';
  const arch = machine() === 'arm64' ? 'aarch64' : machine();
  return async (): Promise<WorkerLabels> => {
    const fs = await statfs(home);
    return {
      arch,
      kvm,
      instanceTypes: opts.instanceTypes ?? offered,
      freeGib: Math.floor(((fs.bavail * fs.bsize) / 2 ** 30) * 10) / 10,
    };
  };
}
