/** @module The one error a host command fails with: its argv, exit code or signal, and the tail of its stderr. */
import { IngotError } from '../errors/ingot-error.ts';

/** How a command ended. */
export interface CommandExit {
  /** null when the process was killed by a signal (or never started). */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

export interface CommandFailedDetails extends CommandExit {
  /** The command line, already redacted. */
  argv: readonly string[];
  /** Why it could not start (spawn error), if that is what happened. */
  startError?: NodeJS.ErrnoException;
  timeoutMs?: number;
  /** What the message calls the command (default: its first three words). */
  label?: string;
}

/** The last `max` characters of a stream's text, trimmed. */
export const tail = (text: string, max: number): string => text.trim().slice(-max);

function describe(d: CommandFailedDetails): string {
  const name = d.label ?? d.argv.slice(0, 3).join(' ');
  if (d.startError) return `${name} could not start: ${d.startError.message}`;
  const how = d.aborted
    ? 'was cancelled'
    : d.timedOut
      ? `timed out after ${Math.round((d.timeoutMs ?? 0) / 1000)} s`
      : d.exitCode === null
        ? `failed (killed by ${d.signal})`
        : `failed (exit ${d.exitCode})`;
  const detail = tail(d.stderr, 800) || tail(d.stdout, 400);
  return detail ? `${name} ${how}: ${detail}` : `${name} ${how}`;
}

/** A host command that could not start, exited non-zero, was killed, timed out or was cancelled. */
export class CommandFailed extends IngotError {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The end of its stderr (at most 4000 characters). */
  readonly stderrTail: string;
  readonly stdout: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** Why it could not start at all (the spawn error), else undefined. */
  readonly startError: NodeJS.ErrnoException | undefined;
  /** True when the program is not installed (spawn ENOENT). */
  readonly notFound: boolean;

  constructor(d: CommandFailedDetails) {
    super('ServiceException', describe(d), d.startError ? { cause: d.startError } : {});
    this.name = 'CommandFailed';
    this.argv = d.argv;
    this.exitCode = d.exitCode;
    this.signal = d.signal;
    this.stderrTail = tail(d.stderr, 4000);
    this.stdout = d.stdout;
    this.timedOut = d.timedOut;
    this.aborted = d.aborted;
    this.startError = d.startError;
    this.notFound = d.startError?.code === 'ENOENT';
  }
}
