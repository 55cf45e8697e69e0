/**
 * @module A fake `mmdebstrap` for tests of what Ingot does around a bootstrap: a PATH directory whose
 * `mmdebstrap` sets `$suite` and `$target` as the real one reads them (`mmdebstrap [OPTIONS] SUITE
 * TARGET [MIRROR...]`), then runs the test's own shell lines.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `dir/bin/mmdebstrap` running `lines` after the argument parsing; returns `dir/bin`. */
export function fakeMmdebstrapBin(dir: string, lines: readonly string[]): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'mmdebstrap'),
    [
      '#!/bin/sh',
      // The first two arguments that are not options or sources lines: the suite, then the target.
      `suite=""; target=""; for a; do case "$a" in -*|deb\\ *) ;; *) [ -n "$suite" ] && [ -z "$target" ] && target=$a; [ -z "$suite" ] && suite=$a;; esac; done`,
      ...lines,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return bin;
}
