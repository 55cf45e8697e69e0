/** @module Resource limits for build instances: cgroup v1/v2 detection, child cgroups, instance-type table. */
export { detectCgroups, detectLayout } from './detect.ts';
export type { CgroupHierarchy, CgroupLayout } from './detect.ts';
export { Cgroup, createCgroup, findChildCgroups, killCgroupDirs, removeCgroupDirs } from './cgroup.ts';
export type { CgroupResult } from './cgroup.ts';
export { INSTANCE_TYPES, DEFAULT_INSTANCE_TYPE, limitsForInstanceTypes } from './instance-types.ts';
export type { ResourceLimits } from './instance-types.ts';
export { BUILD_CGROUP_NAME, createReaderCgroup, withReaderCgroup } from './reader.ts';
