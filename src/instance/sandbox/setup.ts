/**
 * @module Builds a sandbox's resources: runtime dir and state, the root view (in place or an
 * overlay mount), private /tmp, the cgroup, and the resolv.conf mount point. Undone by teardownRuntime.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createCgroup } from '../../cgroups/cgroup.ts';
import type { Cgroup } from '../../cgroups/cgroup.ts';
import { UnsupportedInstanceError } from '../types.ts';
import { mountOverlay } from './mounts.ts';
import { setUpIsolatedNetwork } from './network.ts';
import type { IsolatedNetwork } from './network.ts';
import { sandboxSeccompFilter } from './seccomp.ts';
import { isOverlay } from './options.ts';
import type { SandboxOptions } from './options.ts';
import { resolveInInstance } from '../../rootfs/resolve-path.ts';
import type { PathMapping } from '../../rootfs/resolve-path.ts';
import {
  defaultIngotHome,
  processStart,
  sandboxCgroupName,
  sandboxesDir,
  teardownRuntime,
  writeState,
} from './runtime.ts';
import type { SandboxState } from './runtime.ts';

export interface SandboxResources {
  id: string;
  runtimeDir: string;
  rootView: string;
  tmpDir: string;
  mappings: PathMapping[];
  cgroup: Cgroup | null;
  resolvConfTarget?: string;
  /** The resolv.conf mounted at resolvConfTarget (the host's, or slirp's forwarder for an isolated network). */
  resolvConfSource: string;
  /** The build's own network namespace; absent when it uses the host's network. */
  network?: IsolatedNetwork;
  /** seccomp filter file handed to bwrap (absent on an architecture the filter does not know). */
  seccompFile?: string;
  state: SandboxState;
  warnings: string[];
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export async function setUpSandbox(options: SandboxOptions): Promise<SandboxResources> {
  if (process.getuid?.() !== 0)
    throw new UnsupportedInstanceError('the sandbox instance needs root (mount and cgroup privileges)');
  const id = `sbx-${randomBytes(5).toString('hex')}`;
  const runtimeDir = join(sandboxesDir(resolve(options.ingotHome ?? defaultIngotHome())), id);
  await mkdir(runtimeDir, { recursive: true });
  const state: SandboxState = {
    id,
    pid: process.pid,
    pidStart: processStart(process.pid),
    cgroupDirs: [],
    createdFiles: [],
  };
  await writeState(runtimeDir, state);
  try {
    const tmpDir = options.tmpDir ?? join(runtimeDir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    if (!options.tmpDir) await chmod(tmpDir, 0o1777);
    const rootView = await prepareRoot(options, runtimeDir, state);
    const mappings = [
      { instancePath: '/', hostPath: rootView },
      { instancePath: '/tmp', hostPath: tmpDir },
    ];
    const { cgroup, warnings } = await createCgroup(sandboxCgroupName(id), options.limits ?? {});
    state.cgroupDirs = [...(cgroup?.dirs ?? [])];
    await writeState(runtimeDir, state);
    let network: IsolatedNetwork | undefined;
    if ((options.network ?? 'isolated') === 'isolated') {
      network = await setUpIsolatedNetwork(runtimeDir, async (helper) => {
        state.helpers = [...(state.helpers ?? []), helper];
        await writeState(runtimeDir, state);
      });
    } else warnings.push('the build uses the host network (opted in): steps can reach host ports and loopback');
    const resolvConfSource = network?.resolvConf ?? '/etc/resolv.conf';
    const resolvConfTarget = await prepareResolvConf(mappings, state, warnings, resolvConfSource);
    await writeState(runtimeDir, state);
    const filter = sandboxSeccompFilter();
    let seccompFile: string | undefined;
    if (filter) {
      seccompFile = join(runtimeDir, 'seccomp.bpf');
      await writeFile(seccompFile, filter);
    } else warnings.push(`no seccomp filter for ${process.arch}: steps can create user namespaces`);
    return {
      id,
      runtimeDir,
      rootView,
      tmpDir,
      mappings,
      cgroup,
      state,
      warnings,
      resolvConfSource,
      ...(network ? { network } : {}),
      ...(seccompFile ? { seccompFile } : {}),
      ...(resolvConfTarget ? { resolvConfTarget } : {}),
    };
  } catch (err) {
    await teardownRuntime(runtimeDir, state).catch(() => {});
    throw err;
  }
}

async function prepareRoot(options: SandboxOptions, runtimeDir: string, state: SandboxState): Promise<string> {
  if (!isOverlay(options)) {
    const root = resolve(options.rootDir);
    if (!(await isDir(root))) throw new IngotError('invalid-input', `sandbox root ${root} is not a directory`);
    return root;
  }
  const lowerDirs = options.lowerDirs.map((d) => resolve(d));
  for (const d of lowerDirs)
    if (!(await isDir(d))) throw new IngotError('invalid-input', `overlay lower dir ${d} is not a directory`);
  const upperDir = resolve(options.upperDir);
  await mkdir(upperDir, { recursive: true });
  let workDir = options.workDir ? resolve(options.workDir) : join(runtimeDir, 'work');
  if (!options.workDir && (await stat(upperDir)).dev !== (await stat(runtimeDir)).dev) {
    workDir = join(dirname(upperDir), `.${basename(upperDir)}.work-${state.id}`); // must share upperDir's file system
    state.createdFiles.push(workDir);
    await writeState(runtimeDir, state);
  }
  await mkdir(workDir, { recursive: true });
  const rootView = join(runtimeDir, 'root');
  await mkdir(rootView);
  await mountOverlay(
    { lowerDirs, upperDir, workDir, volatile: options.throwaway === true || options.syncedByCaller === true },
    rootView,
  );
  return rootView;
}

/** Where the host's resolv.conf goes inside; an empty mount point is made (and later removed) if missing. */
async function prepareResolvConf(
  mappings: PathMapping[],
  state: SandboxState,
  warnings: string[],
  source: string,
): Promise<string | undefined> {
  if (
    !(await stat(source).then(
      (s) => s.isFile(),
      () => false,
    ))
  ) {
    warnings.push('the host has no /etc/resolv.conf: no DNS inside the sandbox');
    return undefined;
  }
  const target = await resolveInInstance(mappings, '/etc/resolv.conf');
  if (target.exists) {
    if ((await stat(target.hostPath)).isFile()) return target.instancePath;
    warnings.push(`${target.instancePath} is not a file: the host's DNS is not mounted`);
    return undefined;
  }
  if (!(await isDir(dirname(target.hostPath)))) {
    warnings.push(`${dirname(target.instancePath)} does not exist: the host's DNS is not mounted`);
    return undefined;
  }
  await writeFile(target.hostPath, '', { flag: 'wx' });
  state.createdFiles.push(target.hostPath);
  return target.instancePath;
}
