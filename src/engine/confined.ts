/**
 * @module Host-side work over a build's image contents (disk assembly, the rootfs tarball, the VM
 * capture) runs like the evidence readers: in a reader cgroup with the instance type's limits, stopped
 * by the build's abort signal, whatever is left of it killed when the stage ends.
 */
import { withReaderCgroup } from '../cgroups/index.ts';
import type { Confinement } from '../process/index.ts';
import type { StackContext } from './layer-stack.ts';

/** Runs `fn` with the confinement its commands take (`what` names the stage in warnings). */
export function confined<T>(ctx: StackContext, what: string, fn: (run: Confinement) => Promise<T>): Promise<T> {
  return withReaderCgroup(
    ctx.limits ?? {},
    (w) => ctx.onEvent({ type: 'log', line: `${what}: ${w}` }),
    (cgroupProcs) => fn({ cgroupProcs, ...(ctx.signal ? { signal: ctx.signal } : {}) }),
  );
}
