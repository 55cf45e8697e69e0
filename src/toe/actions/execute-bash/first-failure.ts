/**
 * @module Finds the first failing command of an ExecuteBash script: a bash ERR trap (loaded through
 * BASH_ENV, so the script's own line numbers and `$0` stay as written) prints one marker line to
 * stderr at the first command that exits non-zero; the marker is taken out of the logged stderr and
 * becomes "line N `command` (exit code X): its stderr; the lines around it".
 */

const MARK = '\x1eINGOT-FIRST-FAILURE ';

/**
 * Read by bash before the script (BASH_ENV): records the first failing simple command, once, and
 * keeps BASH_ENV away from the script's own child shells. It never changes what the script does.
 */
export const FIRST_FAILURE_PRELUDE = `unset BASH_ENV
trap '__ingot_rc=$?; trap - ERR; printf "\\036INGOT-FIRST-FAILURE %s %s %s\\n" "$__ingot_rc" "$LINENO" "\${BASH_COMMAND//$'"'"'\\n'"'"'/ }" >&2' ERR
`;

export interface FirstFailure {
  line: number;
  exitCode: number;
  command: string;
  /** The last stderr lines the script wrote before the command failed. */
  stderrBefore: string[];
}

/** Splits the marker out of a script's stderr. */
export function takeFirstFailure(stderr: string): { stderr: string; failure: FirstFailure | undefined } {
  const at = stderr.indexOf(MARK);
  if (at < 0) return { stderr, failure: undefined };
  const end = stderr.indexOf('\n', at);
  const record = stderr.slice(at + MARK.length, end < 0 ? undefined : end);
  const cleaned = stderr.slice(0, at) + (end < 0 ? '' : stderr.slice(end + 1));
  const m = /^(\d+) (\d+) (.*)$/s.exec(record);
  if (!m) return { stderr: cleaned, failure: undefined };
  const before = stderr
    .slice(0, at)
    .split('\n')
    .map((l) => l.replace(/^\S*ingot-toe-\w+\.sh: /, '').trimEnd())
    .filter((l) => l !== '');
  return {
    stderr: cleaned,
    failure: { exitCode: Number(m[1]), line: Number(m[2]), command: m[3]!.trim(), stderrBefore: before.slice(-2) },
  };
}

/** Removes marker lines as stderr streams by (chunks may split a marker; whole lines are passed on). */
export function markerFilter(write: (chunk: string) => void): { write(chunk: string): void; flush(): void } {
  let pending = '';
  return {
    write(chunk) {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      const kept: string[] = [];
      for (const line of parts) {
        const at = line.indexOf(MARK);
        if (at < 0) kept.push(line);
        else if (at > 0) kept.push(line.slice(0, at));
      }
      if (kept.length) write(`${kept.join('\n')}\n`);
    },
    flush() {
      if (pending && !pending.includes(MARK)) write(pending);
      pending = '';
    },
  };
}

const clip = (s: string, n = 160): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** "line 3 `yum install -y nginx` (exit code 127): yum: command not found; script lines 2-4: ..." */
export function describeFirstFailure(failure: FirstFailure, script: string): string {
  const lines = script.split('\n');
  const from = Math.max(1, failure.line - 1);
  const to = Math.min(lines.length, failure.line + 1);
  const around: string[] = [];
  for (let n = from; n <= to; n++) {
    const text = lines[n - 1] ?? '';
    if (n !== failure.line && text.trim() === '') continue;
    around.push(`${n}${n === failure.line ? '>' : ':'} ${clip(text.trim(), 120)}`);
  }
  const said = failure.stderrBefore.length ? `: ${failure.stderrBefore.map((l) => clip(l)).join('; ')}` : '';
  return `the first failing command was line ${failure.line} \`${clip(failure.command, 120)}\` (exit code ${failure.exitCode})${said} [script lines ${around.join(' | ')}]`;
}
