/**
 * @module The worker's one dispatcher: each job kind and the handler that runs it.
 */
import type { JobKind, JobOf, TypedJob } from '../queue/job-kinds.ts';
import type { Outcome, ProcessContext } from './context.ts';
import { processBuild, processDistribute } from './process-image.ts';
import { processImport } from './process-import.ts';

type Handler<K extends JobKind> = (ctx: ProcessContext, job: JobOf<K>) => Promise<Outcome>;

/** A handler for every kind (the type makes a new kind without one a compile error). */
export const HANDLERS: { [K in JobKind]: Handler<K> } = {
  'image-build': processBuild,
  'image-import': processImport,
  'image-distribute': processDistribute,
};

export function dispatch(ctx: ProcessContext, job: TypedJob): Promise<Outcome> {
  return (HANDLERS[job.kind] as Handler<typeof job.kind>)(ctx, job as never);
}
