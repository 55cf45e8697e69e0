/** @module ExecuteDocument support: loads the nested document (file, s3://, managed ARN), guards depth (3 levels) and cycles, runs it. */
import { ActionFailure } from '../actions/define.ts';
import type { NestedRunner } from '../actions/define.ts';
import { openBucket, parseS3Url } from '../actions/s3-client.ts';
import { parseComponentDocument } from '../document/index.ts';
import { findManagedComponent } from '../managed/index.ts';
import type { JsonValue } from '../document/types.ts';
import type { DetailedOutput, DocumentInput, ExecutorOptions } from './types.ts';

export const MAX_NESTING = 3;

/** The document text: a managed component ARN, an s3:// object (executor's S3 endpoint) or a file in the instance. */
async function fetchText(opts: ExecutorOptions, ref: string, signal: AbortSignal): Promise<string> {
  if (ref.startsWith('arn:')) {
    const managed = findManagedComponent(ref);
    if (!managed)
      throw new ActionFailure(
        `ExecuteDocument: '${ref}' is not a managed component (pass loadDocument to resolve other ARNs)`,
      );
    return managed.data;
  }
  if (ref.startsWith('s3://')) {
    if (!opts.s3) throw new ActionFailure(`ExecuteDocument: '${ref}' needs the executor's s3 option`);
    const { bucket, key } = parseS3Url(ref);
    const s3 = await openBucket(opts.s3, bucket);
    try {
      return await s3.getText(key, { signal });
    } finally {
      s3.close();
    }
  }
  const result = await opts.instance.exec({ argv: ['/bin/sh', '-c', 'cat -- "$1"', 'sh', ref], signal });
  if (result.exitCode !== 0) throw new ActionFailure(`ExecuteDocument: cannot read '${ref}': ${result.stderr.trim()}`);
  return result.stdout;
}

async function loadFromRef(opts: ExecutorOptions, ref: string, signal: AbortSignal): Promise<DocumentInput> {
  const parsed = parseComponentDocument(await fetchText(opts, ref, signal), { fileName: ref });
  if (!parsed.ok) {
    const e = parsed.errors[0]!;
    throw new ActionFailure(
      `ExecuteDocument: '${ref}' is not a valid document: ${ref}:${e.line}:${e.column}: ${e.path}: ${e.message}`,
    );
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

export function nestedRunner(
  parent: ExecutorOptions,
  nesting: readonly string[],
  signal: AbortSignal,
  recurse: Recurse,
): NestedRunner {
  return async ({ document, phases, parameters }) => {
    if (nesting.length >= MAX_NESTING)
      throw new ActionFailure(`ExecuteDocument: documents nest at most ${MAX_NESTING} levels deep`);
    if (nesting.includes(document))
      throw new ActionFailure(`ExecuteDocument: cycle detected: ${[...nesting, document].join(' -> ')}`);
    const input = parent.loadDocument
      ? await parent.loadDocument(document)
      : await loadFromRef(parent, document, signal);
    const { outputDir: _dir, resume: _resume, executionId: _id, phases: _phases, ...rest } = parent;
    const out = await recurse({
      opts: { ...rest, documents: [input], parameters, signal, ...(phases ? { phases } : {}) },
      nesting: [...nesting, document],
    });
    const status = out.status === 'failed' || out.status === 'cancelled' ? 'failed' : 'success';
    return { status, summary: summary(out), detail: out as unknown as JsonValue };
  };
}
