/**
 * @module The hand-over between a build's workflow steps and the engine's stages: the engine waits
 * at each gated stage (parent, build, validate, outputs, test) until a step lets it run, and the
 * step waits until its stages ended (or were passed over). Steps that are not stages (WaitForAction,
 * ...) run while the engine waits at its next gate, so a paused workflow pauses the build.
 */
import { BuildCancelled } from './failure.ts';

export const GATED_STAGES = ['parent', 'build', 'validate', 'outputs', 'test'] as const;
export type GatedStage = (typeof GATED_STAGES)[number];

const index = (stage: string) => (GATED_STAGES as readonly string[]).indexOf(stage);

export class StageGate {
  #allowed = -1;
  #position = -1;
  #entered = new Set<string>();
  #ended = new Set<string>();
  #finished = false;
  #error: unknown;
  #aborted: unknown;
  #waiters: (() => void)[] = [];

  #notify(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Engine side: waits until the stage may run (ungated stages run at once). */
  async enter(stage: string, signal?: AbortSignal): Promise<void> {
    const i = index(stage);
    if (i < 0) return;
    this.#position = Math.max(this.#position, i);
    this.#notify();
    const onAbort = () => this.#notify();
    signal?.addEventListener('abort', onAbort);
    try {
      while (this.#allowed < i) {
        if (this.#aborted !== undefined) throw this.#aborted;
        if (signal?.aborted) throw new BuildCancelled();
        await this.#changed();
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    this.#entered.add(stage);
  }

  /** Engine side: the stage ended. */
  leave(stage: string): void {
    this.#ended.add(stage);
    this.#notify();
  }

  /** The engine returned (error undefined) or threw. */
  finish(error?: unknown): void {
    this.#finished = true;
    this.#error = error;
    this.#notify();
  }

  /** The workflow failed: the engine stops at its next gate with this error. */
  abort(error: unknown): void {
    this.#aborted = error;
    this.#notify();
  }

  /** Step side: lets the engine run up to the last of `stages`; resolves when those stages are over. */
  async run(stages: readonly GatedStage[]): Promise<void> {
    this.#allowed = Math.max(this.#allowed, ...stages.map(index));
    this.#notify();
    const over = (s: GatedStage) =>
      this.#ended.has(s) || (!this.#entered.has(s) && (this.#position > index(s) || this.#finished));
    for (;;) {
      if (this.#error !== undefined) throw this.#error;
      if (stages.every(over)) return;
      if (this.#finished) return;
      await this.#changed();
    }
  }

  /** Step side: lets the engine run to its end. */
  release(): void {
    this.#allowed = GATED_STAGES.length;
    this.#notify();
  }
}
