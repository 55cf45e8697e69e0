/**
 * @module Chooses qemu's accelerator: KVM only when a probe guest (a 10-byte boot sector that
 * writes one byte to the serial port) actually runs under it within a few seconds; some hosts
 * have /dev/kvm but hang guests. Otherwise TCG. The answer is cached per process.
 */
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../process/index.ts';

export type Accel = 'kvm' | 'tcg';

let decided: Promise<Accel> | undefined;

/** `forced` (the INGOT_QEMU_ACCEL setting, passed down by the caller) wins over the probe. */
export function chooseAccel(forced?: Accel): Promise<Accel> {
  if (forced) return Promise.resolve(forced);
  decided ??= probeKvm().then(
    (ok) => (ok ? 'kvm' : 'tcg'),
    () => 'tcg' as const,
  );
  return decided;
}

/** mov dx,0x3f8; mov al,'K'; out dx,al; hlt; jmp $-1 — then the boot signature. */
function probeSector(): Buffer {
  const s = Buffer.alloc(512);
  s.set([0xba, 0xf8, 0x03, 0xb0, 0x4b, 0xee, 0xf4, 0xeb, 0xfd]);
  s[510] = 0x55;
  s[511] = 0xaa;
  return s;
}

export async function probeKvm(timeoutMs = 5000): Promise<boolean> {
  if (
    !(await access('/dev/kvm').then(
      () => true,
      () => false,
    ))
  )
    return false;
  const dir = await mkdtemp(join(tmpdir(), 'ingot-kvm-probe-'));
  try {
    await writeFile(join(dir, 'boot.img'), probeSector());
    await runCommand(
      [
        'timeout',
        '-s',
        'KILL',
        String(timeoutMs / 1000),
        'qemu-system-x86_64',
        '-accel',
        'kvm',
        '-m',
        '16',
        '-display',
        'none',
        '-monitor',
        'none',
        '-drive',
        `file=${join(dir, 'boot.img')},format=raw,if=ide`,
        '-serial',
        `file:${join(dir, 'serial')}`,
        '-no-reboot',
      ],
      { okCodes: [137, 124, 1] },
    );
    const out = await readFile(join(dir, 'serial'), 'utf8').catch(() => '');
    return out.includes('K');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
