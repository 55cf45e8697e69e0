/** @module Reboot: waits `delaySeconds`, then asks the executor to reboot the instance and continue at the next step. */
import { ActionFailure, defineAction } from '../define.ts';
import { asObject, int, objectValidator } from '../schema.ts';

export const reboot = defineAction({
  name: 'Reboot',
  platform: 'all',
  outputs: [],
  validateInputs(inputs, report) {
    if (inputs !== undefined && inputs !== null) objectValidator({ delaySeconds: { kind: 'integer' } })(inputs, report);
  },
  async execute(inputs, ctx) {
    const delay = int(asObject(inputs), 'delaySeconds', 0);
    if (delay > 0) {
      ctx.log(`Reboot: waiting ${delay} s before rebooting`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delay * 1000);
        ctx.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(new ActionFailure('Reboot: stopped while waiting'));
          },
          { once: true },
        );
      });
    }
    return { outputs: null, rebootRequested: true };
  },
});
