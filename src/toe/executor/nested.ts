/** @module ExecuteDocument support: loads the nested document, guards depth (3 levels) and cycles, runs it. */
import { ActionFailure } from '../actions/define.ts';
import type { NestedRunner } from '../actions/define.ts';
import { parseComponentDocument } from '../document/index.ts';
import type { JsonValue } from '../document/types.ts';
import type { DetailedOutput, DocumentInput, ExecutorOptions } from './types.ts';

export const MAX_NESTING = 3;

async function readFromInstance(opts: ExecutorOptions, ref: string, signal: AbortSignal): Promise<DocumentInput> {
  const result = await opts.instance.exec({ argv: ['/bin/sh', '-c', 'cat -- "$1"', 'sh', ref], signal });
  if (result.exitCode !== 0) throw new ActionFailure(`ExecuteDocument: cannot read '${ref}': ${result.stderr.trim()}`);
  const parsed = parseComponentDocument(result.stdout, { fileName: ref });
  if (!parsed.ok) {
    const e = parsed.errors[0]!;
    throw new ActionFailure(`ExecuteDocument: '${ref}' is not a valid document: ${ref}:${e.line}:${e.column}: ${e.path}: ${e.message}`);
  }
  return { filePath: ref, document: parsed.document };
}

function summary(out: DetailedOutput): Record<string, JsonValue> {
  const steps = out.documents.flatMap((d) => d.phases.flatMap((p) => p.steps));
  return {
    executedStepCount: steps.filter((s) => s.status !== 'skipped').length,
    executionId: out.executionId,
    failedStepCount: steps.filter((s) => s.status === 'failed').length,
    failureMessage: out.failureMessage,
    ignoredFailedStepCount: steps.filter((s) => s.status === 'ignored').length,
    logUrl: '',
    status: out.status === 'successWithIgnoredFailure' ? 'success' : out.status,
  };
}

type Recurse = (run: { opts: ExecutorOptions; nesting: readonly string[] }) => Promise<DetailedOutput>;

export function nestedRunner(parent: ExecutorOptions, nesting: readonly string[], signal: AbortSignal, recurse: Recurse): NestedRunner {
  return async ({ document, phases, parameters }) => {
    if (nesting.length >= MAX_NESTING) throw new ActionFailure(`ExecuteDocument: documents nest at most ${MAX_NESTING} levels deep`);
    if (nesting.includes(document)) throw new ActionFailure(`ExecuteDocument: cycle detected: ${[...nesting, document].join(' -> ')}`);
    const input = parent.loadDocument ? await parent.loadDocument(document) : await readFromInstance(parent, document, signal);
    const { outputDir: _dir, resume: _resume, executionId: _id, phases: _phases, ...rest } = parent;
    const out = await recurse({
      opts: { ...rest, documents: [input], parameters, signal, ...(phases ? { phases } : {}) },
      nesting: [...nesting, document],
    });
    const status = out.status === 'failed' || out.status === 'cancelled' ? 'failed' : 'success';
    return { status, summary: summary(out), detail: out as unknown as JsonValue };
  };
}
