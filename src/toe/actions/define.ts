/** @module The action-module contract: validate inputs at document time, execute through an Instance at run time. */
import type { Instance } from '../../instance/types.ts';
import type { S3Endpoint } from '../../s3/index.ts';
import type { DocPath } from '../document/source.ts';
import type { JsonValue } from '../document/types.ts';

/** The executor's S3 endpoint (S3Download, S3Upload, ExecuteDocument from s3://). */
export type S3Options = S3Endpoint;

/** Runs a nested document (ExecuteDocument); supplied by the executor. */
export type NestedRunner = (request: {
  document: string;
  phases?: string[];
  parameters: Record<string, string>;
}) => Promise<{ status: 'success' | 'failed'; summary: Record<string, JsonValue>; detail: JsonValue }>;

export interface ActionContext {
  instance: Instance;
  /** Aborted on step timeout or cancellation: pass it to every `instance.exec`. */
  signal: AbortSignal;
  s3?: S3Options;
  /** One console line (the executor timestamps and streams it). */
  log(line: string): void;
  runNested?: NestedRunner;
}

export interface ActionOutcome {
  outputs: Record<string, JsonValue> | null;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /** The module asked for a reboot (exit code 194 or the Reboot action). */
  rebootRequested?: boolean;
  /** Nested run results (ExecuteDocument), shown as the step's `detailedOutput`. */
  detailedOutput?: JsonValue;
}

/** A failed action: the message becomes the step's failureMessage. */
export class ActionFailure extends Error {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;

  constructor(message: string, details: { exitCode?: number; stdout?: string; stderr?: string } = {}) {
    super(message);
    this.name = 'ActionFailure';
    this.exitCode = details.exitCode;
    this.stdout = details.stdout ?? '';
    this.stderr = details.stderr ?? '';
  }
}

/** Reports a problem at `path` (relative to `inputs`); `at: 'key'` points at the key rather than its value. */
export type InputReport = (path: DocPath, message: string, at?: 'key' | 'value') => void;

export interface ActionDefinition {
  name: string;
  /** Windows-only modules validate but fail at run time on Linux. */
  platform: 'linux' | 'windows' | 'all';
  /** Output fields other steps may chain to (`{{ phase.step.outputs.NAME }}`). */
  outputs: readonly string[];
  /** Step defaults this module imposes (ExecuteDocument: timeoutSeconds -1). */
  fixedTimeoutSeconds?: number;
  /** Reports problems with the step's `inputs` (paths relative to `inputs`). */
  validateInputs(inputs: JsonValue | undefined, report: InputReport): void;
  /** Runs with inputs already expanded (variables, loop values and chaining replaced). */
  execute(inputs: JsonValue | undefined, ctx: ActionContext): Promise<ActionOutcome>;
}

export function defineAction(def: ActionDefinition): ActionDefinition {
  return def;
}
