/** @module ExecuteBinary: runs a program with arguments (no shell) inside the instance (exit 194 asks for a reboot). */
import { defineAction } from '../define.ts';
import { commandOutcome } from '../command-result.ts';
import { asObject, objectValidator, str, strList } from '../schema.ts';
import { lineLogger } from '../shell.ts';

export const executeBinary = defineAction({
  name: 'ExecuteBinary',
  platform: 'all',
  outputs: ['stdout'],
  validateInputs: objectValidator({ path: { kind: 'string', required: true }, arguments: { kind: 'stringList' } }),
  async execute(inputs, ctx) {
    const o = asObject(inputs);
    const argv = [str(o, 'path') ?? '', ...strList(o, 'arguments')];
    ctx.log(`ExecuteBinary: running ${JSON.stringify(argv)}`);
    const out = lineLogger(ctx, 'Stdout: ');
    const result = await ctx.instance
      .exec({ argv, signal: ctx.signal, onStdout: out.write })
      .finally(out.flush)
      .catch((err: unknown) => ({
        exitCode: 127,
        signal: null,
        stdout: '',
        stderr: `cannot start ${argv[0]}: ${err instanceof Error ? err.message : String(err)}`,
        timedOut: false,
        aborted: false,
      }));
    return commandOutcome('ExecuteBinary', result);
  },
});
