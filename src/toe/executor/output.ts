/** @module Writes a run's files: console.log, detailedoutput.json, chaining.json and the resume state (state.json). */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChainEntry } from './expand.ts';
import type { DetailedOutput, DocumentInput, ExecutorOptions } from './types.ts';
import { timestamp } from './step-record.ts';

/** Where the run stands: the next step to run, plus everything needed to continue from there. */
export interface RunState {
  executionId: string;
  cursor: { document: number; phase: number; step: number };
  output: DetailedOutput;
  /** Chained inputs/outputs per document, keyed `phase.step`. */
  chains: Array<Record<string, ChainEntry>>;
  /** Reboots so far per `document/phase/step`. */
  reboots: Record<string, number>;
  /** The run finished (a later `resume` starts afresh). */
  done: boolean;
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export class RunFiles {
  readonly dir: string | undefined;

  constructor(dir: string | undefined) {
    this.dir = dir;
    if (dir) mkdirSync(dir, { recursive: true });
  }

  consoleLine(line: string): void {
    if (this.dir) appendFileSync(join(this.dir, 'console.log'), `${new Date().toISOString()} ${line}\n`);
  }

  save(state: RunState, documents: readonly DocumentInput[], selected: (phase: string) => boolean): void {
    if (!this.dir) return;
    writeAtomic(join(this.dir, 'state.json'), JSON.stringify(state));
    writeAtomic(join(this.dir, 'detailedoutput.json'), JSON.stringify(state.output, null, 4));
    const chaining = documents.map((d, i) => ({
      phases: d.document.phases.map((p) => ({
        name: p.name,
        isSelected: selected(p.name),
        steps: p.steps.map((s) => {
          const entry = state.chains[i]?.[`${p.name}.${s.name}`];
          return {
            name: s.name,
            inputs: entry ? JSON.stringify(entry.inputs) : '',
            outputs: entry?.outputs ? JSON.stringify([entry.outputs]) : '',
            loop: null,
            documents: null,
          };
        }),
      })),
    }));
    writeAtomic(join(this.dir, 'chaining.json'), JSON.stringify(chaining, null, 4));
  }

  load(): RunState | undefined {
    if (!this.dir) return undefined;
    try {
      return JSON.parse(readFileSync(join(this.dir, 'state.json'), 'utf8')) as RunState;
    } catch {
      return undefined;
    }
  }
}

/** The state of a run that has not started yet. */
export function freshState(opts: ExecutorOptions): RunState {
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
