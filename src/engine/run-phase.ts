/**
 * @module Runs one phase of one component in an instance with the AWSTOE executor, turning its
 * events into build events and its failure into a BuildFailure; `runComponentsPhase` is the one loop
 * over the components that have the phase (start, success or failed events with their durations).
 */
import { join } from 'node:path';
import type { Instance } from '../instance/types.ts';
import { runComponentDocuments } from '../toe/executor/run.ts';
import type { BuildEventSink } from './events.ts';
import { BuildCancelled, BuildFailure } from './failure.ts';
import type { BuildComponent } from './request.ts';

export interface PhaseRun {
  instance: Instance;
  component: BuildComponent;
  phase: 'build' | 'validate' | 'test';
  /** Where the detailed output of this run is written. */
  logDir: string;
  signal?: AbortSignal | undefined;
  onEvent: BuildEventSink;
}

/** True when the component's document has this phase with at least one step. */
export function hasPhase(component: BuildComponent, phase: string): boolean {
  return component.document.phases.some((p) => p.name === phase && p.steps.length > 0);
}

export async function runPhase(r: PhaseRun): Promise<void> {
  const output = await runComponentDocuments({
    instance: r.instance,
    documents: [{ filePath: r.component.arn ?? r.component.name, document: r.component.document }],
    phases: [r.phase],
    parameters: r.component.parameters,
    outputDir: join(r.logDir, `${safeName(r.component.name)}-${r.phase}`),
    ...(r.signal ? { signal: r.signal } : {}),
    onEvent: (e) => {
      if (e.type === 'step-end') {
        r.onEvent({
          type: 'step',
          component: r.component.name,
          phase: e.phase,
          step: e.record.name,
          status: e.record.status,
          durationMs: e.record.durationMs,
        });
      } else if (e.type === 'log') {
        r.onEvent({ type: 'log', line: e.line });
      }
    },
  });
  if (r.signal?.aborted || output.status === 'cancelled') throw new BuildCancelled();
  if (output.status === 'failed')
    throw new BuildFailure(r.phase, output.failureMessage || 'a step failed', r.component.name);
}

/** Runs `phase` of each component that has one, in order, in one instance; the first failure stops it. */
export async function runComponentsPhase(
  r: Omit<PhaseRun, 'component'> & { components: readonly BuildComponent[] },
): Promise<void> {
  const { components, ...run } = r;
  for (const component of components.filter((c) => hasPhase(c, r.phase))) {
    const started = performance.now();
    const end = (status: 'success' | 'failed') =>
      r.onEvent({
        type: 'component',
        name: component.name,
        phase: r.phase,
        status,
        durationMs: performance.now() - started,
      });
    r.onEvent({ type: 'component', name: component.name, phase: r.phase, status: 'start' });
    try {
      await runPhase({ ...run, component });
    } catch (err) {
      end('failed');
      throw err;
    }
    end('success');
  }
}

const safeName = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_');
