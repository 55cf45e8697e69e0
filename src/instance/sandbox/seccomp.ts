/**
 * @module The seccomp filter every build step runs under (classic BPF, handed to bwrap's `--seccomp`):
 * no new user namespaces (the route to mounting cgroupfs and lifting limits), no ptrace of the
 * sandbox's init (which would hang the step), no kernel keyring, bpf, perf or userfaultfd.
 */

const EPERM = 1;
const ENOSYS = 38;
const RET_ALLOW = 0x7fff0000;
const retErrno = (errno: number): number => 0x00050000 | errno;
const CLONE_NEWUSER = 0x10000000;

// struct seccomp_data: nr @0, arch @4, args[i] @16+8i (low word first on little-endian machines).
const OFF_NR = 0;
const OFF_ARCH = 4;
const offArg = (i: number): number => 16 + 8 * i;

const LD_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JEQ = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JSET = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const JGE = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const RET = 0x06; // BPF_RET | BPF_K

type Insn = [code: number, jt: number, jf: number, k: number];

/** Syscall numbers the filter names, per ABI. */
interface Abi {
  audit: number;
  unshare: number;
  clone: number;
  ptrace: number;
  /** Always refused (EPERM). */
  denied: number[];
  /** Syscall numbers at or above this are another ABI sharing the arch value (x32): refused. */
  nrLimit?: number;
}

const X86_64: Abi = {
  audit: 0xc000003e,
  unshare: 272,
  clone: 56,
  ptrace: 101,
  // add_key, request_key, keyctl, perf_event_open, bpf, userfaultfd
  denied: [248, 249, 250, 298, 321, 323],
  nrLimit: 0x40000000,
};
const I386: Abi = {
  audit: 0x40000003,
  unshare: 310,
  clone: 120,
  ptrace: 26,
  denied: [286, 287, 288, 336, 357, 374],
};
const AARCH64: Abi = {
  audit: 0xc00000b7,
  unshare: 97,
  clone: 220,
  ptrace: 117,
  denied: [217, 218, 219, 241, 280, 282],
};
const CLONE3 = 435; // the same on every ABI; ENOSYS makes libc fall back to clone(2), whose flags we can see

/** The ABIs a process on this machine can use (the native one and its compat ABI). */
export function abisFor(arch: string = process.arch): Abi[] | undefined {
  if (arch === 'x64') return [X86_64, I386];
  if (arch === 'arm64') return [AARCH64];
  return undefined;
}

function abiBlock(abi: Abi): Insn[] {
  const out: Insn[] = [];
  const rule = (nr: number, body: Insn[]) => {
    out.push([LD_ABS, 0, 0, OFF_NR], [JEQ, 0, body.length, nr], ...body);
  };
  if (abi.nrLimit !== undefined)
    out.push([LD_ABS, 0, 0, OFF_NR], [JGE, 0, 1, abi.nrLimit], [RET, 0, 0, retErrno(EPERM)]);
  rule(CLONE3, [[RET, 0, 0, retErrno(ENOSYS)]]);
  rule(abi.clone, [
    [LD_ABS, 0, 0, offArg(0)],
    [JSET, 0, 1, CLONE_NEWUSER],
    [RET, 0, 0, retErrno(EPERM)],
  ]);
  rule(abi.unshare, [
    [LD_ABS, 0, 0, offArg(0)],
    [JSET, 0, 1, CLONE_NEWUSER],
    [RET, 0, 0, retErrno(EPERM)],
  ]);
  // ptrace(request, pid, ...): any request aimed at pid 1, the namespace's init.
  rule(abi.ptrace, [
    [LD_ABS, 0, 0, offArg(1)],
    [JEQ, 0, 1, 1],
    [RET, 0, 0, retErrno(EPERM)],
  ]);
  for (const nr of abi.denied) rule(nr, [[RET, 0, 0, retErrno(EPERM)]]);
  out.push([RET, 0, 0, RET_ALLOW]);
  return out;
}

/** The filter as `struct sock_filter[]` bytes, or undefined on an architecture it does not know. */
export function sandboxSeccompFilter(arch: string = process.arch): Buffer | undefined {
  const abis = abisFor(arch);
  if (!abis) return undefined;
  const prog: Insn[] = [];
  for (const abi of abis) {
    const block = abiBlock(abi);
    if (block.length > 255) throw new Error('seccomp block too long for a BPF jump');
    prog.push([LD_ABS, 0, 0, OFF_ARCH], [JEQ, 0, block.length, abi.audit], ...block);
  }
  prog.push([RET, 0, 0, retErrno(EPERM)]); // an ABI this machine should not have
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach(([code, jt, jf, k], i) => {
    buf.writeUInt16LE(code, i * 8);
    buf.writeUInt8(jt, i * 8 + 2);
    buf.writeUInt8(jf, i * 8 + 3);
    buf.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return buf;
}
