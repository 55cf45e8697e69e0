/** @module Windows-only modules (ExecutePowerShell, InstallMSI, UninstallMSI, SetRegistry): validated, but refuse to run on Linux. */
import { ActionFailure, defineAction } from '../define.ts';
import type { ActionDefinition, InputReport } from '../define.ts';
import { checkList, checkObject } from '../schema.ts';
import type { JsonValue } from '../../document/types.ts';

function windowsOnly(
  name: string,
  outputs: readonly string[],
  validateInputs: (v: JsonValue | undefined, report: InputReport) => void,
): ActionDefinition {
  return defineAction({
    name,
    platform: 'windows',
    outputs,
    validateInputs,
    async execute() {
      throw new ActionFailure(`${name} is a Windows action module: not supported on Linux`);
    },
  });
}

const MSI = {
  path: { kind: 'string', required: true },
  reboot: { kind: 'string', oneOf: ['Allow', 'Force', 'Skip'] },
  logOptions: { kind: 'string' },
  logFile: { kind: 'string' },
  properties: { kind: 'stringMap' },
  ignoreAuthenticodeSignatureErrors: { kind: 'boolean' },
  allowUnsignedInstaller: { kind: 'boolean' },
} as const;

export const executePowerShell = windowsOnly('ExecutePowerShell', ['stdout'], (v, report) => {
  checkObject(v, { commands: { kind: 'stringList' }, file: { kind: 'string' } }, [], report);
  if (v && typeof v === 'object' && !Array.isArray(v) && (v.commands === undefined) === (v.file === undefined)) {
    report([], "ExecutePowerShell needs exactly one of 'commands' or 'file'");
  }
});
export const installMsi = windowsOnly('InstallMSI', ['logFile', 'msiExitCode', 'stdout'], (v, r) =>
  checkObject(v, MSI, [], r),
);
export const uninstallMsi = windowsOnly('UninstallMSI', ['logFile', 'msiExitCode', 'stdout'], (v, r) =>
  checkObject(v, MSI, [], r),
);
export const setRegistry = windowsOnly('SetRegistry', [], (v, r) =>
  checkList(
    v,
    {
      path: { kind: 'string', required: true },
      name: { kind: 'string', required: true },
      value: { kind: 'any', required: true },
      type: { kind: 'string', required: true, oneOf: ['BINARY', 'DWORD', 'QWORD', 'SZ', 'EXPAND_SZ', 'MULTI_SZ'] },
    },
    [],
    r,
  ),
);
