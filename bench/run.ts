/**
 * @module `npm run bench`: runs every benchmark in turn and prints their tables and JSON lines.
 * `npm run bench -- api` (or `pg-reads`, `console`, `build`, `disk`, `mkosi`, `farm`, `boot`) runs one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const BENCHES: Record<string, string> = {
  api: 'api-load.ts',
  'pg-reads': 'pg-reads.ts',
  console: 'console-images.ts',
  build: 'container-vs-buildah.ts',
  disk: 'disk-build.ts',
  mkosi: 'disk-vs-mkosi.ts',
  farm: 'farm-dispatch.ts',
  boot: 'boot-speed.ts',
};
const wanted = process.argv.slice(2);
let failed = 0;
for (const [name, file] of Object.entries(BENCHES)) {
  if (wanted.length && !wanted.includes(name)) continue;
  const path = join(import.meta.dirname, file);
  if (!existsSync(path)) continue;
  console.log(`\n## ${name} (${file})\n`);
  const r = spawnSync(process.execPath, [path], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
