/** @module Human console lines for executor events (what `ingot toe run` and the build engine print). */
import type { ExecutorEvent } from './types.ts';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** One line per event worth showing, or undefined. */
export function formatEvent(event: ExecutorEvent): string | undefined {
  switch (event.type) {
    case 'document-start':
      return `Document ${event.document}`;
    case 'phase-start':
      return `  Phase ${event.phase}`;
    case 'step-start':
      return `    Step ${event.step} (${event.action})${event.attempt > 1 ? ` attempt ${event.attempt}` : ''}`;
    case 'step-end': {
      const r = event.record;
      const detail = r.failureMessage ? `: ${r.failureMessage}` : '';
      return `    ${r.status.toUpperCase()} ${r.name} in ${seconds(r.durationMs)}${detail}`;
    }
    case 'reboot':
      return `    REBOOT requested by ${event.step}`;
    case 'log':
      return undefined;
    case 'done':
      return `Execution ${event.output.executionId}: ${event.output.status}${event.output.failureMessage ? ` (${event.output.failureMessage})` : ''}`;
  }
}
