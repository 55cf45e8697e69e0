/**
 * @module The firmware a qemu VM boots with: SeaBIOS (qemu's default), OVMF (UEFI), or OVMF with
 * Secure Boot enforced and Microsoft's keys enrolled (Debian's `ovmf` package: the secboot code
 * needs the q35 machine with SMM, and its variable store is a per-VM copy of `OVMF_VARS_4M.ms.fd`).
 */
import { copyFile } from 'node:fs/promises';

export const FIRMWARES = ['bios', 'uefi', 'uefi-secure-boot'] as const;
export type Firmware = (typeof FIRMWARES)[number];

const OVMF_DIR = '/usr/share/OVMF';

/** OVMF's code and the variable store template to copy for each UEFI firmware. */
export const OVMF_FILES: Record<Exclude<Firmware, 'bios'>, { code: string; vars: string }> = {
  uefi: { code: `${OVMF_DIR}/OVMF_CODE_4M.fd`, vars: `${OVMF_DIR}/OVMF_VARS_4M.fd` },
  'uefi-secure-boot': { code: `${OVMF_DIR}/OVMF_CODE_4M.secboot.fd`, vars: `${OVMF_DIR}/OVMF_VARS_4M.ms.fd` },
};

/** Copies the variable store template for `firmware` to `to` (nothing for SeaBIOS). */
export async function prepareEfiVars(firmware: Firmware, to: string): Promise<string | undefined> {
  if (firmware === 'bios') return undefined;
  await copyFile(OVMF_FILES[firmware].vars, to);
  return to;
}

export function firmwareArgv(firmware: Firmware, efiVars: string | undefined): { machine: string; argv: string[] } {
  if (firmware === 'bios') return { machine: 'pc', argv: [] };
  if (!efiVars) throw new Error(`${firmware} firmware needs a copy of OVMF's variable store`);
  const pflash = [
    '-drive',
    `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_FILES[firmware].code}`,
    '-drive',
    `if=pflash,format=raw,unit=1,file=${efiVars}`,
  ];
  if (firmware === 'uefi') return { machine: 'q35', argv: pflash };
  return {
    machine: 'q35,smm=on',
    argv: ['-global', 'driver=cfi.pflash01,property=secure,value=on', ...pflash],
  };
}
