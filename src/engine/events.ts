/**
 * @module Structured progress of a build: the worker stores these as the image's log, the CLI
 * renders them (live lines on a TTY, plain lines otherwise).
 */
export const BUILD_STAGES = ['parent', 'build', 'validate', 'snapshot', 'outputs', 'test', 'evidence'] as const;
export type BuildStage = (typeof BUILD_STAGES)[number];

export type BuildEvent =
  | { type: 'stage'; stage: BuildStage; status: 'start' | 'end'; detail?: string; durationMs?: number }
  | {
      type: 'component';
      name: string;
      phase: string;
      status: 'start' | 'cached' | 'success' | 'failed';
      durationMs?: number;
      detail?: string;
    }
  | { type: 'step'; component: string; phase: string; step: string; status: string; durationMs?: number }
  | { type: 'log'; line: string };

export type BuildEventSink = (event: BuildEvent) => void;

/** One human line per event (for logs and non-TTY output). */
export function formatEvent(e: BuildEvent): string {
  switch (e.type) {
    case 'stage':
      return e.status === 'start'
        ? `==> ${e.stage}${e.detail ? `: ${e.detail}` : ''}`
        : `<== ${e.stage} done${e.durationMs !== undefined ? ` in ${(e.durationMs / 1000).toFixed(2)} s` : ''}${e.detail ? ` (${e.detail})` : ''}`;
    case 'component':
      return `  [${e.name}] ${e.phase}: ${e.status}${e.durationMs !== undefined ? ` (${(e.durationMs / 1000).toFixed(2)} s)` : ''}${e.detail ? ` ${e.detail}` : ''}`;
    case 'step':
      return `    ${e.component}/${e.phase}/${e.step}: ${e.status}${e.durationMs !== undefined ? ` (${(e.durationMs / 1000).toFixed(2)} s)` : ''}`;
    case 'log':
      return `      ${e.line}`;
  }
}
