/**
 * @module The build-instance contract. Every place a component step runs (the host, a
 * namespace/overlayfs sandbox, a qemu VM, an SSH host) implements `Instance`; AWSTOE actions
 * and the build engine only ever talk to this interface.
 */

import type { Confinement } from '../process/index.ts';

export interface ExecParams {
  /** Program and arguments, run without a shell (use ['/bin/sh', '-c', script] for one). */
  argv: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** Working directory inside the instance. */
  cwd?: string;
  /** Bytes written to the process's standard input, then closed. */
  stdin?: string | Uint8Array;
  /** Kill the whole process tree after this many milliseconds (result has timedOut: true). */
  timeoutMs?: number;
  /** Aborting kills the whole process tree. */
  signal?: AbortSignal;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
}

export interface ExecResult {
  /** null when the process was killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

export const INSTANCE_KINDS = ['host', 'sandbox', 'qemu', 'ssh'] as const;
export type InstanceKind = (typeof INSTANCE_KINDS)[number];

export interface Instance {
  readonly kind: InstanceKind;
  readonly id: string;
  /** Run a program inside the instance. Never rejects for a non-zero exit; rejects only when it cannot start. */
  exec(params: ExecParams): Promise<ExecResult>;
  /** Copy a host file or directory into the instance. */
  copyIn(hostPath: string, instancePath: string): Promise<void>;
  /**
   * Copy a file or directory out of the instance to the host (links stay links); the host-side commands run in
   * `run`'s cgroup and stop on its signal.
   */
  copyOut(instancePath: string, hostPath: string, run?: Confinement): Promise<void>;
  /** Restart the instance (processes end, the file system is kept). */
  reboot(): Promise<void>;
  /** Stop everything and release every resource (mounts, cgroups, processes). Idempotent. */
  close(): Promise<void>;
}

/** Thrown by a driver that cannot run on this machine, so a caller can fall back to another. */
export class UnsupportedInstanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedInstanceError';
  }
}
