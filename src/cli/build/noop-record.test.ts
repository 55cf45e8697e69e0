/** @module The commit of a git checkout, read from `.git` without running git: loose, packed, worktree, detached. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkoutCommit } from './noop-record.ts';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

test('the commit a checkout runs: loose ref, packed ref, a worktree, a detached HEAD; none outside git', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'ingot-noop-git-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  const repo = join(d, 'repo');
  git(d, 'init', '-q', '-b', 'main', repo);
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'one');
  const one = git(repo, 'rev-parse', 'HEAD');
  assert.equal(checkoutCommit(repo), one);
  git(repo, 'pack-refs', '--all');
  assert.equal(checkoutCommit(repo), one, 'a packed ref');
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'two');
  const two = git(repo, 'rev-parse', 'HEAD');
  assert.equal(checkoutCommit(repo), two, 'a new commit changes it');
  const wt = join(d, 'wt');
  git(repo, 'worktree', 'add', '-q', '-b', 'side', wt, one);
  assert.equal(checkoutCommit(wt), one, 'a worktree: its own HEAD');
  git(wt, 'commit', '-q', '--allow-empty', '-m', 'three');
  assert.equal(checkoutCommit(wt), git(wt, 'rev-parse', 'HEAD'));
  git(repo, 'checkout', '-q', '--detach', one);
  assert.equal(checkoutCommit(repo), one, 'detached');
  assert.equal(checkoutCommit(join(d, 'nothing')), undefined, 'an installed package');
});
