/** @module ExecuteBash: runs the `commands` as one bash script inside the instance (exit 194 asks for a reboot). */
import { defineAction } from '../define.ts';
import { commandOutcome } from '../command-result.ts';
import { ActionFailure } from '../define.ts';
import { asObject, objectValidator, strList } from '../schema.ts';
import { lineLogger } from '../shell.ts';
import { describeFirstFailure, FIRST_FAILURE_PRELUDE, markerFilter, takeFirstFailure } from './first-failure.ts';
import { foreignDistroHint } from './foreign-distro.ts';

/**
 * Saves the script (read from stdin) and the first-failure prelude ("$1") to temporary files, runs
 * the script with bash (the prelude through BASH_ENV), removes both.
 */
/** apt's answers when its package lists are missing or older than the archive. */
const STALE_APT_LISTS =
  /E: Unable to locate package|E: Package '[^']+' has no installation candidate|404\s+Not Found \[IP/;
const STALE_APT_HINT =
  "apt's package lists may be missing or out of date: run apt-get update before installing (a managed base's lists are those of its bootstrap, at most a week old)";

const RUNNER =
  'f=$(mktemp "${TMPDIR:-/tmp}/ingot-toe-XXXXXX.sh") || exit 1; p=$(mktemp "${TMPDIR:-/tmp}/ingot-toe-XXXXXX.env") || exit 1; ' +
  'printf "%s" "$1" > "$p"; cat > "$f"; BASH_ENV="$p" bash "$f" </dev/null; rc=$?; rm -f "$f" "$p"; exit $rc';

export const executeBash = defineAction({
  name: 'ExecuteBash',
  platform: 'linux',
  outputs: ['stdout'],
  validateInputs: objectValidator({ commands: { kind: 'stringList', required: true } }),
  async execute(inputs, ctx) {
    const script = `${strList(asObject(inputs), 'commands').join('\n')}\n`;
    ctx.log('ExecuteBash: STARTED EXECUTION');
    const out = lineLogger(ctx, 'Stdout: ');
    const errLines = lineLogger(ctx, 'Stderr: ');
    const err = markerFilter(errLines.write);
    const raw = await ctx.instance.exec({
      argv: ['/bin/sh', '-c', RUNNER, 'sh', FIRST_FAILURE_PRELUDE],
      stdin: script,
      signal: ctx.signal,
      onStdout: out.write,
      onStderr: err.write,
    });
    out.flush();
    err.flush();
    errLines.flush();
    ctx.log(`ExecuteBash: FINISHED EXECUTION (exit code ${raw.exitCode ?? raw.signal})`);
    const { stderr, failure } = takeFirstFailure(raw.stderr);
    const result = { ...raw, stderr };
    try {
      return commandOutcome('ExecuteBash', result);
    } catch (e) {
      if (!(e instanceof ActionFailure) || result.aborted || result.timedOut) throw e;
      const parts = [
        failure
          ? `ExecuteBash failed with exit code ${result.exitCode ?? result.signal}: ${describeFirstFailure(failure, script)}`
          : e.message,
      ];
      const hint = await foreignDistroHint(ctx, script);
      if (hint) parts.push(hint);
      if (!/apt(-get)? update/.test(script) && STALE_APT_LISTS.test(stderr)) parts.push(STALE_APT_HINT);
      throw new ActionFailure(parts.join('. '), { exitCode: e.exitCode ?? -1, stdout: e.stdout, stderr: e.stderr });
    }
  },
});
