/** @module The AWSTOE executor: run validated component documents against any Instance. */
export { runComponentDocuments } from './run.ts';
export { evaluateCondition } from './evaluate-condition.ts';
export type {
  DetailedOutput,
  DocumentInput,
  DocumentRecord,
  ExecutorEvent,
  ExecutorOptions,
  PhaseRecord,
  RollupStatus,
  StepRecord,
  StepStatus,
} from './types.ts';
export { formatEvent } from './console.ts';
