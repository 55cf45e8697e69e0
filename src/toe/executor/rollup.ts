/** @module Status roll-up (steps → phase → document → execution) and fresh records. */
import type { DocumentInput, DocumentRecord, PhaseRecord, RollupStatus, StepStatus } from './types.ts';
import { timestamp } from './step-record.ts';

export function rollup(statuses: ReadonlyArray<StepStatus | RollupStatus>): RollupStatus {
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('cancelled')) return 'cancelled';
  if (statuses.includes('ignored') || statuses.includes('successWithIgnoredFailure'))
    return 'successWithIgnoredFailure';
  return 'success';
}

export function firstFailure(
  items: ReadonlyArray<{ name: string; status: string; failureMessage: string; filePath?: string }>,
  what: string,
): string {
  const failed = items.find((i) => i.status === 'failed' || i.status === 'cancelled');
  return failed ? `${what} ${failed.name || failed.filePath || '(unnamed)'} failed: ${failed.failureMessage}` : '';
}

export function newDocumentRecord(input: DocumentInput): DocumentRecord {
  const now = timestamp();
  return {
    name: input.document.name,
    filePath: input.filePath,
    status: 'success',
    description: input.document.description,
    startTime: now,
    endTime: now,
    failureMessage: '',
    phases: [],
  };
}

export function newPhaseRecord(name: string): PhaseRecord {
  const now = timestamp();
  return { name, status: 'success', startTime: now, endTime: now, failureMessage: '', steps: [] };
}

/** Recomputes statuses, end times and failure messages from the step records up. */
export function refresh(doc: DocumentRecord): void {
  for (const phase of doc.phases) {
    phase.status = rollup(phase.steps.map((s) => s.status));
    phase.failureMessage = firstFailure(phase.steps, 'Step');
    phase.endTime = phase.steps.at(-1)?.endTime ?? phase.startTime;
  }
  doc.status = rollup(doc.phases.map((p) => p.status));
  doc.failureMessage = firstFailure(doc.phases, 'Phase');
  doc.endTime = doc.phases.at(-1)?.endTime ?? doc.startTime;
}
