/** @module Runs small POSIX sh scripts inside the instance, with every path passed as an argument (never spliced into code). */
import type { ExecResult } from '../../instance/types.ts';
import { ActionFailure } from './define.ts';
import type { ActionContext } from './define.ts';

/** Runs `script` with `sh -c`; `args` become "$1", "$2", ... */
export function sh(
  ctx: ActionContext,
  script: string,
  args: readonly string[] = [],
  stdin?: string | Uint8Array,
): Promise<ExecResult> {
  return ctx.instance.exec({
    argv: ['/bin/sh', '-c', script, 'sh', ...args],
    signal: ctx.signal,
    ...(stdin === undefined ? {} : { stdin }),
  });
}

/** Like `sh`, but a non-zero exit becomes an ActionFailure that quotes the script's stderr. */
export async function shOk(
  ctx: ActionContext,
  what: string,
  script: string,
  args: readonly string[] = [],
  stdin?: string | Uint8Array,
): Promise<ExecResult> {
  const result = await sh(ctx, script, args, stdin);
  if (result.exitCode !== 0) {
    const reason =
      result.stderr.trim().split('\n').slice(-3).join('; ') || `exit code ${result.exitCode ?? result.signal}`;
    throw new ActionFailure(`${what}: ${reason}`, {
      exitCode: result.exitCode ?? -1,
      stdout: result.stdout,
      stderr: result.stderr,
    });
  }
  return result;
}

/** Shell prelude: `fail MSG` prints to stderr and exits 1. */
export const FAIL = 'fail() { printf "%s\\n" "$*" >&2; exit 1; }\n';

/** Rejects paths that cannot be right for any file operation. */
export function checkPath(path: string, what: string, opts: { allowRoot?: boolean } = {}): string {
  if (path.trim() === '') throw new ActionFailure(`${what}: path is empty`);
  if (path.includes('\0')) throw new ActionFailure(`${what}: path contains a NUL byte`);
  if (/^[A-Za-z]:\\/.test(path))
    throw new ActionFailure(`${what}: '${path}' is a Windows path; not supported on Linux`);
  if (!opts.allowRoot && path.replace(/\/+$/, '') === '')
    throw new ActionFailure(`${what}: refusing to operate on '/'`);
  return path;
}

/** Encodings AWSTOE accepts, mapped to iconv names (UTF-16/32 default to little-endian). */
export const ENCODINGS: Record<string, string> = {
  utf8: 'UTF-8',
  'utf-8': 'UTF-8',
  utf16: 'UTF-16LE',
  'utf-16': 'UTF-16LE',
  'utf16-le': 'UTF-16LE',
  'utf-16-le': 'UTF-16LE',
  'utf16-be': 'UTF-16BE',
  'utf-16-be': 'UTF-16BE',
  utf32: 'UTF-32LE',
  'utf-32': 'UTF-32LE',
  'utf32-le': 'UTF-32LE',
  'utf-32-le': 'UTF-32LE',
  'utf32-be': 'UTF-32BE',
  'utf-32-be': 'UTF-32BE',
};
export const ENCODING_NAMES = Object.keys(ENCODINGS);

export function iconvName(encoding: string | undefined): string {
  const name = ENCODINGS[(encoding ?? 'utf8').toLowerCase()];
  if (!name)
    throw new ActionFailure(`unsupported encoding '${encoding}'; expected one of ${ENCODING_NAMES.join(', ')}`);
  return name;
}

/** Shell snippet: converts stdin (UTF-8) to "$ENC" on stdout. */
export const ENCODE = 'encode() { if [ "$ENC" = UTF-8 ]; then cat; else iconv -f UTF-8 -t "$ENC"; fi; }\n';

/** Streams output to `ctx.log` one whole line at a time (chunks may split lines); call `flush` at the end. */
export function lineLogger(ctx: ActionContext, prefix: string): { write(chunk: string): void; flush(): void } {
  let pending = '';
  return {
    write(chunk) {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) ctx.log(`${prefix}${line}`);
    },
    flush() {
      if (pending) ctx.log(`${prefix}${pending}`);
      pending = '';
    },
  };
}
