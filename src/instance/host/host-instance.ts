/**
 * @module The host itself as an Instance: steps run directly on this machine (what AWSTOE does).
 * Used by `ingot toe run` without `--root`.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import { cp } from 'node:fs/promises';
import { execProcess } from '../exec-process.ts';
import type { ExecParams, ExecResult, Instance } from '../types.ts';

export class HostInstance implements Instance {
  readonly kind = 'host' as const;
  readonly id = 'host';

  exec(params: ExecParams): Promise<ExecResult> {
    return execProcess(params);
  }

  async copyIn(hostPath: string, instancePath: string): Promise<void> {
    await cp(hostPath, instancePath, { recursive: true, force: true });
  }

  async copyOut(instancePath: string, hostPath: string): Promise<void> {
    await cp(instancePath, hostPath, { recursive: true, force: true });
  }

  async reboot(): Promise<void> {
    // Rebooting the machine Ingot runs on is never what a user wants from `toe run`.
    throw new IngotError(
      'unsupported',
      'reboot is not supported on the host instance; run with --root or in a VM instance',
    );
  }

  async close(): Promise<void> {}
}
