/** @module The qemu instance driver: VMs booted from disk images, driven over SSH. */
export { createQemuInstance, type QemuInstanceOptions } from './create.ts';
export { QemuInstance } from './qemu-instance.ts';
export { chooseAccel, probeKvm, type Accel } from './accel.ts';
export { instanceDriverFor, VM_INSTANCE_TYPES, DRIVER_TAG, type DriverChoice, type InfraConfigLike } from './select.ts';
export { FIRMWARES, type Firmware } from './firmware.ts';
export type { PortForward } from './vm.ts';
export type { DiskBus, Nic, VmDevices } from './devices.ts';
