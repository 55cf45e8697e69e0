/** @module Test helpers: temp directories and "parse this YAML, run it on the host" in one call. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostInstance } from '../../src/instance/host/host-instance.ts';
import type { Instance } from '../../src/instance/types.ts';
import { parseComponentDocument } from '../../src/toe/document/index.ts';
import { runComponentDocuments } from '../../src/toe/executor/index.ts';
import type { DetailedOutput, ExecutorOptions, StepRecord } from '../../src/toe/executor/index.ts';

export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-toe-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface YamlRun {
  output: DetailedOutput;
  steps: StepRecord[];
  step(name: string): StepRecord;
}

/** Validates `yaml` (failing loudly if invalid) and runs it. */
export async function runYaml(
  yaml: string,
  opts: Partial<ExecutorOptions> & { instance?: Instance } = {},
): Promise<YamlRun> {
  const parsed = parseComponentDocument(yaml);
  if (!parsed.ok)
    throw new Error(
      `invalid test document:\n${parsed.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`).join('\n')}`,
    );
  const output = await runComponentDocuments({
    instance: opts.instance ?? new HostInstance(),
    ...opts,
    documents: [{ filePath: 'test.yml', document: parsed.document }],
  });
  const steps = output.documents.flatMap((d) => d.phases.flatMap((p) => p.steps));
  return {
    output,
    steps,
    step(name) {
      const found = steps.find((s) => s.name === name);
      if (!found) throw new Error(`no step ${name}; have ${steps.map((s) => s.name).join(', ')}`);
      return found;
    },
  };
}

/** A document with one build phase made of `steps` (YAML list items, already indented by 6). */
export const buildDoc = (steps: string, header = ''): string =>
  `name: test\nschemaVersion: 1.0\n${header}phases:\n  - name: build\n    steps:\n${steps}`;
