/** @module Runs component documents on an Instance: phase order, onFailure, chaining, reboots (with a resumable state file). */
import type { ActionContext } from '../actions/define.ts';
import type { Phase } from '../document/types.ts';
import { resolveVariables } from './expand.ts';
import type { Scope } from './expand.ts';
import { nestedRunner } from './nested.ts';
import { freshState, RunFiles } from './output.ts';
import type { RunState } from './output.ts';
import { firstFailure, newDocumentRecord, newPhaseRecord, refresh, rollup } from './rollup.ts';
import { runStep } from './run-step.ts';
import { timestamp } from './step-record.ts';
import type { StepRun } from './run-step.ts';
import type { DetailedOutput, DocumentRecord, ExecutorEvent, ExecutorOptions } from './types.ts';

/** One execution: walks the cursor through documents → selected phases → steps, saving after each step. */
class Execution {
  readonly opts: ExecutorOptions;
  readonly nesting: readonly string[];
  readonly files: RunFiles;
  readonly signal: AbortSignal;
  readonly state: RunState;
  stopped = false;

  constructor(opts: ExecutorOptions, nesting: readonly string[]) {
    this.opts = opts;
    this.nesting = nesting;
    this.files = new RunFiles(opts.outputDir);
    this.signal = opts.signal ?? new AbortController().signal;
    const loaded = opts.resume ? this.files.load() : undefined;
    this.state = loaded && !loaded.done ? loaded : freshState(opts);
    this.state.output.executionId = this.state.executionId;
  }

  selected = (phase: string): boolean => !this.opts.phases || this.opts.phases.includes(phase);
  emit = (event: ExecutorEvent): void => {
    this.opts.onEvent?.(event);
    if (event.type === 'log') this.files.consoleLine(event.line);
  };
  log = (line: string): void => this.emit({ type: 'log', line });
  save(): void {
    this.files.save(this.state, this.opts.documents, this.selected);
  }

  async run(): Promise<DetailedOutput> {
    for (let d = this.state.cursor.document; d < this.opts.documents.length && !this.stopped; d++)
      await this.runDocument(d);
    const out = this.state.output;
    out.status = this.signal.aborted ? 'cancelled' : rollup(out.documents.map((doc) => doc.status));
    out.failureMessage = firstFailure(out.documents, 'Document');
    out.endTime = timestamp();
    this.state.done = !this.signal.aborted; // a cancelled run keeps its cursor for `resume`
    this.save();
    this.log(
      out.status === 'failed' || out.status === 'cancelled'
        ? `TOE has completed execution with status ${out.status}: ${out.failureMessage}`
        : 'TOE has completed execution successfully',
    );
    this.emit({ type: 'done', output: out });
    return out;
  }

  async runDocument(d: number): Promise<void> {
    const input = this.opts.documents[d]!;
    const docRec = (this.state.output.documents[d] ??= newDocumentRecord(input));
    this.emit({ type: 'document-start', document: input.filePath });
    this.log(`Document ${input.filePath}`);
    let scope: Scope;
    try {
      scope = {
        variables: resolveVariables(input.document, this.opts.parameters ?? {}),
        chain: new Map(Object.entries((this.state.chains[d] ??= {}))),
      };
    } catch (err) {
      Object.assign(docRec, { status: 'failed', failureMessage: err instanceof Error ? err.message : String(err) });
      this.stopped = true;
      return;
    }
    const phases = input.document.phases.filter((p) => this.selected(p.name));
    const first = d === this.state.cursor.document ? this.state.cursor.phase : 0;
    for (let p = first; p < phases.length && !this.stopped; p++) {
      await this.runPhase(d, p, phases[p]!, docRec, scope);
      if (!this.stopped) this.state.cursor = { document: d, phase: p + 1, step: 0 };
    }
    refresh(docRec);
    if (!this.stopped) this.state.cursor = { document: d + 1, phase: 0, step: 0 };
  }

  async runPhase(d: number, p: number, phase: Phase, docRec: DocumentRecord, scope: Scope): Promise<void> {
    const filePath = this.opts.documents[d]!.filePath;
    const phaseRec = (docRec.phases[p] ??= newPhaseRecord(phase.name));
    this.emit({ type: 'phase-start', document: filePath, phase: phase.name });
    this.log(`Phase ${phase.name}`);
    const cursor = this.state.cursor;
    for (let s = d === cursor.document && p === cursor.phase ? cursor.step : 0; s < phase.steps.length; ) {
      if (this.signal.aborted) {
        this.stopped = true;
        return;
      }
      const step = phase.steps[s]!;
      this.log(`Step ${step.name}`);
      const rebootKey = `${d}/${phase.name}/${step.name}`;
      const run = await runStep(step, scope, this.actionContext(), this.signal, {
        conditionDecided: (this.state.reboots[rebootKey] ?? 0) > 0,
        onAttempt: (attempt) =>
          this.emit({
            type: 'step-start',
            document: filePath,
            phase: phase.name,
            step: step.name,
            action: step.action,
            attempt,
          }),
      });
      phaseRec.steps[s] = run.record;
      if (run.record.status === 'success') {
        scope.chain.set(`${phase.name}.${step.name}`, run.chain);
        this.state.chains[d]![`${phase.name}.${step.name}`] = run.chain;
      }
      const next = run.rebootRequested
        ? await this.reboot(run, rebootKey, { d, p, s, phase: phase.name, step: step.name }, docRec)
        : s + 1;
      if (run.record.status === 'failed' && step.onFailure === 'Ignore') run.record.status = 'ignored';
      this.emit({ type: 'step-end', document: filePath, phase: phase.name, record: run.record });
      this.stopped =
        run.record.status === 'cancelled' || (run.record.status === 'failed' && step.onFailure === 'Abort');
      if (!this.stopped) this.state.cursor = { document: d, phase: p, step: next };
      refresh(docRec);
      this.save();
      if (this.stopped) return;
      s = next;
    }
  }

  /** Saves where to continue, reboots the instance; returns the step index to run next. */
  async reboot(
    run: StepRun,
    key: string,
    at: { d: number; p: number; s: number; phase: string; step: string },
    docRec: DocumentRecord,
  ): Promise<number> {
    const count = (this.state.reboots[key] = (this.state.reboots[key] ?? 0) + 1);
    if (count > (this.opts.maxRebootsPerStep ?? 5)) {
      Object.assign(run.record, {
        status: 'failed',
        failureMessage: `step asked for a reboot ${count} times; giving up`,
      });
      return at.s + 1;
    }
    const sameStep = !run.rebootAction && (this.opts.rebootResume ?? 'same-step') === 'same-step';
    const next = sameStep ? at.s : at.s + 1;
    this.state.cursor = { document: at.d, phase: at.p, step: next };
    refresh(docRec);
    this.save();
    this.emit({ type: 'reboot', document: this.opts.documents[at.d]!.filePath, phase: at.phase, step: at.step });
    this.log(
      `Rebooting the instance (requested by step ${at.step}); continuing at ${sameStep ? 'the same' : 'the next'} step`,
    );
    try {
      await this.opts.instance.reboot();
      return next;
    } catch (err) {
      Object.assign(run.record, {
        status: 'failed',
        failureMessage: `reboot failed: ${err instanceof Error ? err.message : String(err)}`,
      });
      return at.s + 1;
    }
  }

  actionContext(): Omit<ActionContext, 'signal'> {
    return {
      instance: this.opts.instance,
      log: this.log,
      ...(this.opts.s3 ? { s3: this.opts.s3 } : {}),
      runNested: nestedRunner(this.opts, this.nesting, this.signal, (nested) =>
        runComponentDocuments(nested.opts, nested.nesting),
      ),
    };
  }
}

/** Runs every document, returns the detailed output (also written to `outputDir` when given). */
export function runComponentDocuments(opts: ExecutorOptions, nesting: readonly string[] = []): Promise<DetailedOutput> {
  return new Execution(opts, nesting).run();
}
