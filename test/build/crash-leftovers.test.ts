/**
 * @module What a killed `ingot build` leaves behind (its work dir, a process still running in one of
 * its cgroups) is cleaned up by the next `ingot build` in the same INGOT_HOME, as a server or worker
 * does at start; what a live build owns is left alone.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { detectCgroups } from '../../src/cgroups/index.ts';
import { processStart } from '../../src/process/index.ts';
import { runIngot } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingot-crash-left-'));
const home = join(dir, 'home');
let sleeperPid = 0;
after(() => {
  if (sleeperPid && processStart(sleeperPid) !== '') process.kill(sleeperPid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const cgroups = detectCgroups();
const skip =
  process.getuid?.() !== 0
    ? 'needs root (cgroups)'
    : cgroups.version === 'none'
      ? `needs cgroups: ${cgroups.reason}`
      : false;
const src = (path: string) => new URL(`../../src/${path}`, import.meta.url).href;

/** A stand-in for a build killed mid-way: it makes its work dir and a reader cgroup with a process in it. */
const CHILD = `
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const { createBuildWorkDir } = await import(${JSON.stringify(src('engine/work-dirs.ts'))});
const { createReaderCgroup } = await import(${JSON.stringify(src('cgroups/reader.ts'))});
const work = await createBuildWorkDir(process.argv[2]);
writeFileSync(work + '/disk-overlay.qcow2', 'pretend');
const { cgroup } = await createReaderCgroup({});
const sleeper = spawn('sh', ['-c', 'for f in "$@"; do echo $$ > "$f"; done; exec sleep 300', 'sh', ...cgroup.procsFiles], { stdio: 'ignore', detached: true });
sleeper.unref();
await new Promise((r) => setTimeout(r, 300));
process.stdout.write(JSON.stringify({ work, sleeper: sleeper.pid }) + '\\n');
setInterval(() => {}, 1000);
`;

test('the next ingot build removes a killed build’s work dir and stops what still runs in its cgroup; a live owner’s work dir stays', {
  skip,
}, async () => {
  writeFileSync(join(dir, 'child.mjs'), CHILD);
  const child = spawn(process.execPath, [join(dir, 'child.mjs'), home], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`the stand-in build exited (${code}) before it was ready`)));
  });
  const { work, sleeper } = JSON.parse(line) as { work: string; sleeper: number };
  sleeperPid = sleeper;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.ok(existsSync(work), 'the killed build left its work dir');
  assert.ok(processStart(sleeper) !== '', 'the killed build left a process running in its cgroup');

  // A work dir whose owner is alive (this test process): another build running right now.
  const live = join(home, 'work', 'build-live');
  mkdirSync(live, { recursive: true });
  writeFileSync(join(live, 'owner.json'), JSON.stringify({ pid: process.pid, start: processStart(process.pid) }));

  writeFileSync(join(dir, 'nameless.yml'), 'components: []\n');
  const r = await runIngot(['build', join(dir, 'nameless.yml')], { INGOT_HOME: home });
  assert.equal(r.code, 1, 'the recipe itself is refused');
  assert.match(r.stderr, /`name` is required/);
  const name = work.split('/').pop()!;
  // Other cgroups with a dead owner under the same parent (an earlier run's) are counted too.
  assert.match(
    r.stderr,
    new RegExp(
      `cleaned up after killed builds: 1 work dir\\(s\\) \\(${name}\\); \\d+ cgroup\\(s\\), their processes stopped`,
    ),
  );
  assert.equal(existsSync(work), false, 'the work dir is gone');
  assert.ok(existsSync(live), 'the live owner’s work dir is kept');
  for (let i = 0; i < 50 && processStart(sleeper) !== ''; i++) await new Promise((res) => setTimeout(res, 100));
  // Gone, or a zombie waiting for PID 1 to reap it.
  const state = (() => {
    try {
      return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${sleeper}/status`, 'utf8'))?.[1] ?? '';
    } catch {
      return 'gone';
    }
  })();
  assert.ok(state === 'gone' || state === 'Z', `the process in the cgroup is stopped (state ${state})`);
  assert.equal(readFileSync(join(live, 'owner.json'), 'utf8').includes(String(process.pid)), true);
});
