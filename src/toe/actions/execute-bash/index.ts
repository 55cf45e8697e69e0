/** @module ExecuteBash: runs the `commands` as one bash script inside the instance (exit 194 asks for a reboot). */
import { defineAction } from '../define.ts';
import { commandOutcome } from '../command-result.ts';
import { asObject, objectValidator, strList } from '../schema.ts';
import { lineLogger } from '../shell.ts';

/** Saves the script (read from stdin) to a temporary file, runs it with bash, removes it. */
const RUNNER =
  'f=$(mktemp "${TMPDIR:-/tmp}/ingot-toe-XXXXXX.sh") || exit 1; cat > "$f"; bash "$f" </dev/null; rc=$?; rm -f "$f"; exit $rc';

export const executeBash = defineAction({
  name: 'ExecuteBash',
  platform: 'linux',
  outputs: ['stdout'],
  validateInputs: objectValidator({ commands: { kind: 'stringList', required: true } }),
  async execute(inputs, ctx) {
    const script = `${strList(asObject(inputs), 'commands').join('\n')}\n`;
    ctx.log('ExecuteBash: STARTED EXECUTION');
    const out = lineLogger(ctx, 'Stdout: ');
    const err = lineLogger(ctx, 'Stderr: ');
    const result = await ctx.instance.exec({
      argv: ['/bin/sh', '-c', RUNNER],
      stdin: script,
      signal: ctx.signal,
      onStdout: out.write,
      onStderr: err.write,
    });
    out.flush();
    err.flush();
    ctx.log(`ExecuteBash: FINISHED EXECUTION (exit code ${result.exitCode ?? result.signal})`);
    return commandOutcome('ExecuteBash', result);
  },
});
