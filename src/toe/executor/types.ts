/** @module Executor options, progress events and the detailed-output records (shaped like AWSTOE's detailedoutput.json). */
import type { S3Options } from '../actions/define.ts';
import type { ComponentDocument, OnFailure } from '../document/types.ts';
import type { Instance } from '../../instance/types.ts';

export type StepStatus = 'success' | 'failed' | 'ignored' | 'skipped' | 'cancelled';
export type RollupStatus = 'success' | 'failed' | 'successWithIgnoredFailure' | 'cancelled';

export interface StepRecord {
  name: string;
  status: StepStatus;
  failureMessage: string;
  timeoutSeconds: number;
  onFailure: OnFailure;
  maxAttempts: number;
  action: string;
  startTime: string;
  endTime: string;
  /** JSON text of the expanded inputs, as a list (AWSTOE's format). */
  inputs: string;
  /** JSON text of the outputs, as a list, or '' when the module has none. */
  outputs: string;
  loop: { name: string; iterations: number; failedIterations: number[] } | null;
  detailedOutput: DetailedOutput[] | null;
  // Ingot additions (not in AWSTOE's file):
  durationMs: number;
  attempts: number;
  exitCode: number | null;
  stdoutExcerpt: string;
  stderrExcerpt: string;
}

export interface PhaseRecord {
  name: string;
  status: RollupStatus;
  startTime: string;
  endTime: string;
  failureMessage: string;
  steps: StepRecord[];
}

export interface DocumentRecord {
  name: string;
  filePath: string;
  status: RollupStatus;
  description: string;
  startTime: string;
  endTime: string;
  failureMessage: string;
  phases: PhaseRecord[];
}

export interface DetailedOutput {
  executionId: string;
  status: RollupStatus;
  startTime: string;
  endTime: string;
  failureMessage: string;
  documents: DocumentRecord[];
}

export type ExecutorEvent =
  | { type: 'document-start'; document: string }
  | { type: 'phase-start'; document: string; phase: string }
  | { type: 'step-start'; document: string; phase: string; step: string; action: string; attempt: number }
  | { type: 'step-end'; document: string; phase: string; record: StepRecord }
  | { type: 'log'; line: string }
  | { type: 'reboot'; document: string; phase: string; step: string }
  | { type: 'done'; output: DetailedOutput };

export interface DocumentInput {
  /** Shown as `filePath` in the detailed output. */
  filePath: string;
  document: ComponentDocument;
}

export interface ExecutorOptions {
  instance: Instance;
  documents: DocumentInput[];
  /** Phases to run (default: every phase, in document order). */
  phases?: readonly string[];
  /** Parameter values by name (missing ones take their default). */
  parameters?: Readonly<Record<string, string>>;
  /** Host directory for detailedoutput.json, chaining.json, console.log and the resume state. */
  outputDir?: string;
  executionId?: string;
  signal?: AbortSignal;
  onEvent?: (event: ExecutorEvent) => void;
  s3?: S3Options;
  /** Continue a run whose state file is in `outputDir` (after a crash or host restart). */
  resume?: boolean;
  /**
   * Where a run continues after exit code 194: AWSTOE reruns the same step (scripts check a marker),
   * 'next-step' moves on. The Reboot action always continues at the next step.
   */
  rebootResume?: 'same-step' | 'next-step';
  /** Reboots allowed per step before the step fails (guards against endless 194 loops). Default 5. */
  maxRebootsPerStep?: number;
  /** Loads an ExecuteDocument target (path in the instance, ARN...). Default: read the file inside the instance. */
  loadDocument?: (ref: string) => Promise<DocumentInput>;
}
