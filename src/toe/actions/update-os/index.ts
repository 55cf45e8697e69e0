/** @module UpdateOS: installs pending updates with the package manager found in the instance (apt, dnf/yum or zypper). */
import { ActionFailure, defineAction } from '../define.ts';
import { asObject, objectValidator, strList } from '../schema.ts';
import { lineLogger, sh } from '../shell.ts';
import { updateScript } from './plan.ts';
import type { PackageManager } from './plan.ts';

const DETECT =
  'for pm in apt-get dnf yum zypper; do if command -v "$pm" >/dev/null 2>&1; then echo "$pm"; exit 0; fi; done; exit 1';

export const updateOs = defineAction({
  name: 'UpdateOS',
  platform: 'all',
  outputs: [],
  validateInputs(inputs, report) {
    if (inputs !== undefined && inputs !== null)
      objectValidator({ include: { kind: 'stringList' }, exclude: { kind: 'stringList' } })(inputs, report);
  },
  async execute(inputs, ctx) {
    const o = asObject(inputs);
    const detected = await sh(ctx, DETECT);
    const pm = detected.stdout.trim() as PackageManager;
    if (detected.exitCode !== 0 || !pm)
      throw new ActionFailure('UpdateOS: no supported package manager (apt-get, dnf, yum, zypper) in the instance');
    const { script, args } = updateScript(pm, strList(o, 'include'), strList(o, 'exclude'));
    ctx.log(`UpdateOS: updating with ${pm}`);
    const out = lineLogger(ctx, 'Stdout: ');
    const result = await ctx.instance.exec({
      argv: ['/bin/sh', '-c', script, 'sh', ...args],
      env: {
        PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        DEBIAN_FRONTEND: 'noninteractive',
        LC_ALL: 'C',
      },
      signal: ctx.signal,
      onStdout: out.write,
    });
    out.flush();
    if (result.exitCode !== 0) {
      throw new ActionFailure(
        `UpdateOS: ${pm} failed with exit code ${result.exitCode ?? result.signal}: ${result.stderr.trim().split('\n').slice(-2).join('; ')}`,
        {
          exitCode: result.exitCode ?? -1,
          stdout: result.stdout,
          stderr: result.stderr,
        },
      );
    }
    return { outputs: null, stdout: result.stdout };
  },
});
