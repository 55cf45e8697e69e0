/**
 * @module Renders build events for a person: on a TTY one live status line plus the lines that
 * matter; otherwise plain lines, one per event.
 */
import { formatEvent, type BuildEvent } from '../../engine/events.ts';

export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): {
  onEvent: (e: BuildEvent) => void;
  done: () => void;
} {
  const tty = stream.isTTY === true;
  let status = '';
  const clear = () => {
    if (tty && status) stream.write('\r\x1b[K');
  };
  const redraw = () => {
    if (tty && status) stream.write(`\x1b[2m${status.slice(0, (stream.columns || 100) - 1)}\x1b[0m`);
  };
  return {
    onEvent(e) {
      if (tty && e.type === 'log') {
        clear();
        status = `  … ${e.line}`;
        redraw();
        return;
      }
      clear();
      stream.write(`${formatEvent(e)}\n`);
      redraw();
    },
    done() {
      clear();
      status = '';
    },
  };
}
