/**
 * @module Chooses qemu's accelerator: KVM only when a probe guest (a 10-byte boot sector that
 * writes one byte to the serial port) runs under it about as fast as under TCG; some hosts have
 * /dev/kvm but hang guests or run them at a crawl. Otherwise TCG. The probes end as soon as the
 * byte arrives (well under a second on a healthy host); a hung guest costs the whole limit. The
 * answer is kept for the host's boot (a file named by the kernel's boot ID in the temporary
 * directory, trusted only when this user owns it), so each `ingot run` or build after the first
 * does not probe again.
 */
import { access, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../files/write-atomic.ts';
import { startCommand } from '../../process/index.ts';

export type Accel = 'kvm' | 'tcg';

const ACCELS: readonly string[] = ['kvm', 'tcg'] satisfies Accel[];

/** Where the probe looks and what it may wait (tests point them elsewhere). */
export interface ProbeOptions {
  /** Default /dev/kvm. */
  kvmDevice?: string;
  /** Default 5000 ms. */
  timeoutMs?: number;
  /** The folder of the kept answer (default the temporary directory); `false`: neither read nor kept. */
  cacheDir?: string | false;
}

let decided: Promise<Accel> | undefined;

/** `forced` (the INGOT_QEMU_ACCEL setting, passed down by the caller) wins over the probe. */
export function chooseAccel(forced?: Accel): Promise<Accel> {
  if (forced) return Promise.resolve(forced);
  decided ??= probedAccel().catch(() => 'tcg' as const);
  return decided;
}

/** The kept answer for this boot of the host, else a probe (whose answer is then kept). */
export async function probedAccel(opts: ProbeOptions = {}): Promise<Accel> {
  const file = opts.cacheDir === false ? undefined : await answerFile(opts.cacheDir ?? tmpdir());
  const kept = file ? await readAnswer(file) : undefined;
  if (kept) return kept;
  const accel: Accel = (await probeKvm(opts)) ? 'kvm' : 'tcg';
  if (file) await writeFileAtomic(file, `${accel}\n`, { mode: 0o644 }).catch(() => {});
  return accel;
}

/** mov dx,0x3f8; mov al,'K'; out dx,al; hlt; jmp $-1 — then the boot signature. */
export function probeSector(): Buffer {
  const s = Buffer.alloc(512);
  s.set([0xba, 0xf8, 0x03, 0xb0, 0x4b, 0xee, 0xf4, 0xeb, 0xfd]);
  s[510] = 0x55;
  s[511] = 0xaa;
  return s;
}

/** Milliseconds from qemu's start to the probe's byte on its serial port (stdout), or undefined within the limit. */
export async function probeAnswerMs(image: string, accel: Accel, limitMs: number): Promise<number | undefined> {
  const started = performance.now();
  let answeredMs: number | undefined;
  const qemu = startCommand(
    [
      'qemu-system-x86_64',
      '-accel',
      accel,
      '-m',
      '16',
      '-display',
      'none',
      '-monitor',
      'none',
      '-drive',
      `file=${image},format=raw,if=ide,snapshot=on`,
      '-serial',
      'stdio',
      '-no-reboot',
    ],
    {
      timeoutMs: limitMs,
      check: false,
      onStdout: (chunk) => {
        if (answeredMs === undefined && chunk.includes('K')) {
          answeredMs = performance.now() - started;
          qemu.kill();
        }
      },
    },
  );
  await qemu.done;
  return answeredMs;
}

/**
 * Whether guests run well under KVM: the probe guest boots under KVM and under TCG side by side,
 * each qemu stopped as soon as the guest's byte arrives. KVM must answer, and no more than a quarter
 * second after TCG: on a healthy host KVM answers first (its firmware runs natively), and as both
 * qemus start together, load delays both. On hosts whose nested KVM makes every I/O exit crawl, the
 * firmware alone took 1.5 s against TCG's 0.09 s, and a Linux kernel never got past its
 * decompressor in 30 s.
 */
export async function probeKvm(opts: ProbeOptions = {}): Promise<boolean> {
  const device = opts.kvmDevice ?? '/dev/kvm';
  if (
    !(await access(device).then(
      () => true,
      () => false,
    ))
  )
    return false;
  const dir = await mkdtemp(join(tmpdir(), 'ingot-kvm-probe-'));
  try {
    const image = join(dir, 'boot.img');
    await writeFile(image, probeSector());
    const limitMs = opts.timeoutMs ?? 5000;
    const [kvmMs, tcgMs] = await Promise.all([
      probeAnswerMs(image, 'kvm', limitMs),
      probeAnswerMs(image, 'tcg', limitMs),
    ]);
    return kvmAnswersWell(kvmMs, tcgMs);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The rule above: KVM answered, and not much later than TCG (TCG not answering at all leaves KVM's answer to stand). */
export const kvmAnswersWell = (kvmMs: number | undefined, tcgMs: number | undefined): boolean =>
  kvmMs !== undefined && (tcgMs === undefined || kvmMs <= tcgMs + 250);

async function answerFile(dir: string): Promise<string | undefined> {
  const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim();
  if (!/^[0-9a-f-]{36}$/.test(bootId)) return undefined;
  return join(dir, `ingot-qemu-accel-${process.getuid?.() ?? 0}-${bootId}`);
}

async function readAnswer(file: string): Promise<Accel | undefined> {
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile() || st.uid !== (process.getuid?.() ?? st.uid)) return undefined;
  const text = (await readFile(file, 'utf8').catch(() => '')).trim();
  return ACCELS.includes(text) ? (text as Accel) : undefined;
}
