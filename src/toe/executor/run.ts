/** @module Runs component documents on an Instance: phase order, onFailure, chaining, reboots (with a resumable state file). */
import { randomUUID } from 'node:crypto';
import type { PhaseName } from '../document/types.ts';
import { resolveVariables } from './expand.ts';
import type { ChainEntry } from './expand.ts';
import { nestedRunner } from './nested.ts';
import { RunFiles } from './output.ts';
import type { RunState } from './output.ts';
import { newDocumentRecord, newPhaseRecord, refresh, rollup, firstFailure } from './rollup.ts';
import { runStep, timestamp } from './run-step.ts';
import type { DetailedOutput, ExecutorEvent, ExecutorOptions } from './types.ts';

function freshState(opts: ExecutorOptions): RunState {
  const now = timestamp();
  return {
    executionId: opts.executionId ?? randomUUID(),
    cursor: { document: 0, phase: 0, step: 0 },
    output: { executionId: '', status: 'success', startTime: now, endTime: now, failureMessage: '', documents: [] },
    chains: opts.documents.map(() => ({})),
    reboots: {},
    done: false,
  };
}

/** Runs every document, returns the detailed output (also written to `outputDir` when given). */
export async function runComponentDocuments(opts: ExecutorOptions, nesting: readonly string[] = []): Promise<DetailedOutput> {
  const files = new RunFiles(opts.outputDir);
  const signal = opts.signal ?? new AbortController().signal;
  const selected = (phase: string) => !opts.phases || opts.phases.includes(phase);
  const loaded = opts.resume ? files.load() : undefined;
  const state = loaded && !loaded.done ? loaded : freshState(opts);
  state.output.executionId = state.executionId;
  const emit = (event: ExecutorEvent) => {
    opts.onEvent?.(event);
    if (event.type === 'log') files.consoleLine(event.line);
  };
  const log = (line: string) => emit({ type: 'log', line });
  const save = () => files.save(state, opts.documents, selected);
  let stopAll = false;

  for (let d = state.cursor.document; d < opts.documents.length && !stopAll; d++) {
    const input = opts.documents[d]!;
    const docRec = (state.output.documents[d] ??= newDocumentRecord(input));
    const chain = (state.chains[d] ??= {});
    emit({ type: 'document-start', document: input.filePath });
    log(`Document ${input.filePath}`);
    let variables: Map<string, string>;
    try {
      variables = resolveVariables(input.document, opts.parameters ?? {});
    } catch (err) {
      docRec.status = 'failed';
      docRec.failureMessage = err instanceof Error ? err.message : String(err);
      stopAll = true;
      break;
    }
    const chainStore = new Map<string, ChainEntry>(Object.entries(chain));
    const phases = input.document.phases.filter((p) => selected(p.name));
    const firstPhase = d === state.cursor.document ? state.cursor.phase : 0;
    for (let p = firstPhase; p < phases.length && !stopAll; p++) {
      const phase = phases[p]!;
      const phaseRec = (docRec.phases[p] ??= newPhaseRecord(phase.name));
      emit({ type: 'phase-start', document: input.filePath, phase: phase.name });
      log(`Phase ${phase.name}`);
      const firstStep = d === state.cursor.document && p === state.cursor.phase ? state.cursor.step : 0;
      for (let s = firstStep; s < phase.steps.length; s++) {
        const step = phase.steps[s]!;
        if (signal.aborted) { stopAll = true; break; }
        log(`Step ${step.name}`);
        const base = {
          instance: opts.instance, workDir: '/tmp', log, ...(opts.s3 ? { s3: opts.s3 } : {}),
          runNested: nestedRunner(opts, nesting, signal, (doc) => runComponentDocuments(doc.opts, doc.nesting)),
        };
        const rebootKey = `${d}/${phase.name}/${step.name}`;
        const run = await runStep(step, { variables, chain: chainStore }, base, signal, {
          conditionDecided: (state.reboots[rebootKey] ?? 0) > 0,
          onAttempt: (attempt) => emit({ type: 'step-start', document: input.filePath, phase: phase.name, step: step.name, action: step.action, attempt }),
        });
        phaseRec.steps[s] = run.record;
        if (run.record.status === 'success') {
          chainStore.set(`${phase.name}.${step.name}`, run.chain);
          chain[`${phase.name}.${step.name}`] = run.chain;
        }
        let next = s + 1;
        if (run.rebootRequested) {
          const count = (state.reboots[rebootKey] = (state.reboots[rebootKey] ?? 0) + 1);
          const sameStep = !run.rebootAction && (opts.rebootResume ?? 'same-step') === 'same-step';
          if (count > (opts.maxRebootsPerStep ?? 5)) {
            run.record.status = 'failed';
            run.record.failureMessage = `step asked for a reboot ${count} times; giving up`;
          } else {
            next = sameStep ? s : s + 1;
            state.cursor = { document: d, phase: p, step: next };
            refresh(docRec);
            save();
            emit({ type: 'reboot', document: input.filePath, phase: phase.name, step: step.name });
            log(`Rebooting the instance (requested by step ${step.name}); continuing at ${sameStep ? 'the same' : 'the next'} step`);
            try {
              await opts.instance.reboot();
            } catch (err) {
              run.record.status = 'failed';
              run.record.failureMessage = `reboot failed: ${err instanceof Error ? err.message : String(err)}`;
              next = s + 1;
            }
          }
        }
        if (run.record.status === 'failed' && step.onFailure === 'Ignore') run.record.status = 'ignored';
        emit({ type: 'step-end', document: input.filePath, phase: phase.name as PhaseName, record: run.record });
        if (run.record.status === 'cancelled' || (run.record.status === 'failed' && step.onFailure === 'Abort')) stopAll = true;
        state.cursor = stopAll ? state.cursor : { document: d, phase: p, step: next };
        refresh(docRec);
        save();
        if (stopAll) break;
        s = next - 1;
      }
      if (!stopAll) state.cursor = { document: d, phase: p + 1, step: 0 };
    }
    refresh(docRec);
    if (!stopAll) state.cursor = { document: d + 1, phase: 0, step: 0 };
  }
  const out = state.output;
  out.status = signal.aborted ? 'cancelled' : rollup(out.documents.map((doc) => doc.status));
  out.failureMessage = firstFailure(out.documents, 'Document');
  out.endTime = timestamp();
  // A cancelled run keeps its cursor so `resume` continues where it stopped.
  state.done = !signal.aborted;
  save();
  log(out.status === 'failed' || out.status === 'cancelled' ? `TOE has completed execution with status ${out.status}: ${out.failureMessage}` : 'TOE has completed execution successfully');
  emit({ type: 'done', output: out });
  return out;
}
