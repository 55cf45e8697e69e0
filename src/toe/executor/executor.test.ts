/** @module Executor tests on the host: phases, chaining, loops, conditions, failures, retries, timeouts, reboots, cancel. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HostInstance } from '../../instance/host/host-instance.ts';
import type { ExecParams, ExecResult, Instance } from '../../instance/types.ts';
import { buildDoc, runYaml, tempDir } from '../../../test/helpers/toe.ts';
import { formatEvent } from './index.ts';
import type { ExecutorEvent } from './index.ts';

const bash = (name: string, commands: string[], extra = '') =>
  `      - name: ${name}\n        action: ExecuteBash\n${extra}        inputs:\n          commands:\n${commands.map((c) => `            - ${JSON.stringify(c)}\n`).join('')}`;

/** The host, but reboot() is recorded (and can run a hook) instead of refused. */
class RecordingInstance implements Instance {
  readonly kind = 'host' as const;
  readonly id = 'recording';
  readonly host = new HostInstance();
  reboots = 0;
  onReboot: () => void = () => {};
  exec(params: ExecParams): Promise<ExecResult> {
    return this.host.exec(params);
  }
  copyIn(from: string, to: string) {
    return this.host.copyIn(from, to);
  }
  copyOut(from: string, to: string) {
    return this.host.copyOut(from, to);
  }
  async reboot() {
    this.reboots++;
    this.onReboot();
  }
  async close() {}
}

test('phases run in order, outputs chain to later steps, and the run files are written', async (t) => {
  const dir = tempDir(t);
  const yaml =
    `name: chain\nschemaVersion: 1.0\nparameters:\n  - Greeting:\n      type: string\n      default: hello\nphases:\n` +
    `  - name: build\n    steps:\n${bash('Make', ['echo "{{ Greeting }} world"'])}` +
    `  - name: validate\n    steps:\n${bash('Use', ['echo "got {{ build.Make.outputs.stdout }}"'])}`;
  const run = await runYaml(yaml, { outputDir: dir, parameters: { Greeting: 'hi' } });
  assert.equal(run.output.status, 'success');
  assert.equal(run.step('Use').outputs, JSON.stringify([{ stdout: 'got hi world' }]));
  assert.equal(run.step('Make').inputs, JSON.stringify([{ commands: ['echo "hi world"'] }]));
  const detailed = JSON.parse(readFileSync(join(dir, 'detailedoutput.json'), 'utf8'));
  assert.deepEqual(
    detailed.documents[0].phases.map((p: { name: string }) => p.name),
    ['build', 'validate'],
  );
  const chaining = JSON.parse(readFileSync(join(dir, 'chaining.json'), 'utf8'));
  assert.equal(chaining[0].phases[0].steps[0].outputs, JSON.stringify([{ stdout: 'hi world' }]));
  assert.match(readFileSync(join(dir, 'console.log'), 'utf8'), /Stdout: got hi world/);
});

test('only the selected phases run; a parameter without default must be given', async () => {
  const yaml = `schemaVersion: 1.0\nparameters:\n  - Needed:\n      type: string\nphases:\n  - name: build\n    steps:\n${bash('B', ['echo {{ Needed }}'])}  - name: test\n    steps:\n${bash('T', ['echo t'])}`;
  const run = await runYaml(yaml, { phases: ['test'], parameters: { Needed: 'x' } });
  assert.deepEqual(
    run.steps.map((s) => s.name),
    ['T'],
  );
  const missing = await runYaml(yaml);
  assert.equal(missing.output.status, 'failed');
  assert.match(missing.output.failureMessage, /missing value for parameter\(s\) Needed/);
  const typed = await runYaml(
    `schemaVersion: 1.0\nparameters:\n  - Count:\n      type: integer\n      default: 2\nphases:\n  - name: build\n    steps:\n${bash('B', ['echo {{ Count }}'])}`,
    { parameters: { Count: 'two' } },
  );
  assert.match(typed.output.failureMessage, /parameter Count must be an integer, got 'two'/);
});

test('loops expand loop.value / loop.index / named loops and join outputs', async () => {
  const run = await runYaml(
    buildDoc(
      `      - name: Each\n        action: ExecuteBash\n        loop:\n          name: fruit\n          forEach: [apple, pear]\n        inputs:\n          commands: ['echo "{{ fruit.index }}={{ loop.value }}"']\n` +
        `      - name: Count\n        action: ExecuteBash\n        loop:\n          for: { start: 10, end: 4, updateBy: -3 }\n        inputs:\n          commands: ['echo {{ loop.value }}']\n` +
        `      - name: Split\n        action: ExecuteBash\n        loop:\n          forEach: { list: 'a;b', delimiter: ';' }\n        inputs:\n          commands: ['echo {{ loop.value }}']\n`,
    ),
  );
  assert.equal(run.step('Each').outputs, JSON.stringify([{ stdout: '0=apple\n1=pear' }]));
  assert.equal(run.step('Count').outputs, JSON.stringify([{ stdout: '10\n7\n4' }]));
  assert.equal(run.step('Split').outputs, JSON.stringify([{ stdout: 'a\nb' }]));
});

test('if conditions skip, execute or abort steps', async () => {
  const run = await runYaml(
    buildDoc(
      bash('Os', ['echo linux']) +
        bash(
          'OnLinux',
          ['echo yes'],
          "        if:\n          stringEquals: LINUX\n          value: '{{ build.Os.outputs.stdout }}'\n",
        ) +
        bash(
          'OnWindows',
          ['echo no'],
          "        if:\n          and:\n            - binaryExists: sh\n            - stringEquals: windows\n              value: '{{ build.Os.outputs.stdout }}'\n",
        ) +
        bash(
          'Stop',
          ['echo never'],
          '        if:\n          not:\n            fileExists: /definitely/not/here\n          then: Abort\n',
        ) +
        bash('After', ['echo after']),
    ),
  );
  const badPattern = await runYaml(
    buildDoc(
      bash(
        'Regex',
        ['true'],
        "        onFailure: Continue\n        if:\n          patternMatches: '{{ Pattern }}'\n          value: x\n",
      ) + bash('Next', ['true']),
      "parameters:\n  - Pattern:\n      type: string\n      default: '('\n",
    ),
  );
  assert.match(badPattern.step('Regex').failureMessage, /cannot evaluate the step's 'if'/);
  assert.equal(badPattern.step('Next').status, 'success');
  assert.equal(run.step('OnLinux').status, 'success');
  assert.equal(run.step('OnWindows').status, 'skipped');
  assert.equal(run.step('Stop').status, 'failed');
  assert.equal(
    run.steps.some((s) => s.name === 'After'),
    false,
    'Abort stops the run',
  );
  assert.equal(run.output.status, 'failed');
});

test('onFailure Continue and Ignore; Abort is the default', async () => {
  const run = await runYaml(
    buildDoc(
      bash('Ignored', ['exit 3'], '        onFailure: Ignore\n') +
        bash('Continued', ['echo oops >&2; exit 4'], '        onFailure: Continue\n') +
        bash('Next', ['echo still running']),
    ),
  );
  assert.equal(run.step('Ignored').status, 'ignored');
  assert.equal(run.step('Continued').status, 'failed');
  assert.equal(run.step('Continued').exitCode, 4);
  assert.match(run.step('Continued').stderrExcerpt, /oops/);
  assert.equal(run.step('Next').status, 'success');
  assert.equal(run.output.status, 'failed');
  const ignoredOnly = await runYaml(
    buildDoc(bash('Ignored', ['exit 3'], '        onFailure: Ignore\n') + bash('Ok', ['true'])),
  );
  assert.equal(ignoredOnly.output.status, 'successWithIgnoredFailure');
});

test('maxAttempts retries a failing step until it succeeds', async (t) => {
  const counter = join(tempDir(t), 'count');
  const run = await runYaml(
    buildDoc(
      bash(
        'Flaky',
        [`n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; [ $n -ge 3 ]`],
        '        maxAttempts: 3\n',
      ),
    ),
  );
  assert.equal(run.step('Flaky').status, 'success');
  assert.equal(run.step('Flaky').attempts, 3);
});

test('a step timeout kills the whole runaway process tree', async (t) => {
  const pids = join(tempDir(t), 'pids');
  const started = Date.now();
  const run = await runYaml(
    buildDoc(
      bash(
        'Runaway',
        [`sleep 300 & echo $! >> ${pids}; (sleep 300 & echo $! >> ${pids}; wait) & wait`],
        '        timeoutSeconds: 1\n        maxAttempts: 2\n',
      ),
    ),
  );
  assert.ok(Date.now() - started < 10_000, 'both attempts stop within their timeouts');
  assert.equal(run.step('Runaway').status, 'failed');
  assert.equal(run.step('Runaway').attempts, 2);
  assert.match(run.step('Runaway').failureMessage, /timed out after 1 seconds/);
  await new Promise((r) => setTimeout(r, 200));
  for (const pid of readFileSync(pids, 'utf8').split('\n').filter(Boolean)) {
    // Gone, or a zombie waiting for a non-reaping PID 1 (killed either way).
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    assert.ok(stat === '' || / Z /.test(stat), `sleep ${pid} should be gone: ${stat}`);
  }
});

test('exit code 194 reboots and reruns the same step (AWSTOE); Reboot continues at the next step', async (t) => {
  const marker = join(tempDir(t), 'rebooted');
  const instance = new RecordingInstance();
  const run = await runYaml(
    buildDoc(
      bash('RestartTrigger', [
        `if [ -f ${marker} ]; then echo after; exit 0; fi; touch ${marker}; echo before; exit 194`,
      ]) +
        '      - name: RebootNow\n        action: Reboot\n' +
        bash('Last', ['echo last']),
    ),
    { instance },
  );
  assert.equal(instance.reboots, 2);
  assert.equal(run.step('RestartTrigger').outputs, JSON.stringify([{ stdout: 'after' }]));
  assert.equal(run.step('Last').status, 'success');
  const nextStep = new RecordingInstance();
  const again = await runYaml(buildDoc(bash('Always194', ['exit 194']) + bash('Last', ['echo last'])), {
    instance: nextStep,
    rebootResume: 'next-step',
  });
  assert.equal(nextStep.reboots, 1);
  assert.equal(again.output.status, 'success');
});

test('a run stopped by a reboot resumes from its state file', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'log');
  const controller = new AbortController();
  const instance = new RecordingInstance();
  instance.onReboot = () => controller.abort(); // the host "dies" while the instance reboots
  const yaml = buildDoc(
    bash('One', [`echo one >> ${log}`]) +
      '      - name: Restart\n        action: Reboot\n' +
      bash('Two', [`echo two >> ${log}`]),
  );
  const first = await runYaml(yaml, { instance, outputDir: join(dir, 'out'), signal: controller.signal });
  assert.equal(first.output.status, 'cancelled');
  const state = JSON.parse(readFileSync(join(dir, 'out', 'state.json'), 'utf8'));
  assert.deepEqual(state.cursor, { document: 0, phase: 0, step: 2 });
  const second = await runYaml(yaml, { instance: new RecordingInstance(), outputDir: join(dir, 'out'), resume: true });
  assert.equal(second.output.status, 'success');
  assert.equal(readFileSync(log, 'utf8'), 'one\ntwo\n');
  assert.deepEqual(
    second.steps.map((s) => s.status),
    ['success', 'success', 'success'],
  );
});

test('cancellation through the AbortSignal stops the running step at once', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const started = Date.now();
  const run = await runYaml(buildDoc(bash('Long', ['sleep 30']) + bash('Never', ['true'])), {
    signal: controller.signal,
  });
  assert.ok(Date.now() - started < 5000);
  assert.equal(run.output.status, 'cancelled');
  assert.equal(run.step('Long').status, 'cancelled');
});

test('ExecuteDocument runs a nested document from the instance and reports its summary', async (t) => {
  const dir = tempDir(t);
  const child = join(dir, 'child.yml');
  writeFileSync(
    child,
    `schemaVersion: 1.0\nparameters:\n  - Who:\n      type: string\nphases:\n  - name: build\n    steps:\n${bash('Hi', ['echo hi {{ Who }}'])}`,
  );
  const run = await runYaml(
    buildDoc(
      `      - name: Nested\n        action: ExecuteDocument\n        inputs:\n          document: ${child}\n          parameters:\n            - name: Who\n              value: you\n`,
    ),
  );
  const nested = run.step('Nested');
  assert.equal(nested.status, 'success', nested.failureMessage);
  assert.equal(JSON.parse(nested.outputs)[0].executedStepCount, 1);
  assert.ok(existsSync(child));
  const managed = await runYaml(
    buildDoc(
      `      - name: Managed\n        action: ExecuteDocument\n        inputs:\n          document: arn:aws:imagebuilder:us-east-1:aws:component/hello-world-linux/1.0.0\n          phases: test\n`,
    ),
  );
  assert.equal(managed.step('Managed').status, 'success', managed.step('Managed').failureMessage);
  const self = join(dir, 'self.yml');
  writeFileSync(
    self,
    buildDoc(`      - name: Again\n        action: ExecuteDocument\n        inputs:\n          document: ${self}\n`),
  );
  const cyclic = await runYaml(readFileSync(self, 'utf8'));
  assert.match(cyclic.output.failureMessage, /cycle detected|nest at most/);
});

test('progress events render as console lines, one start and one end per step', async () => {
  const events: ExecutorEvent[] = [];
  await runYaml(buildDoc(bash('Hello', ['echo hi']) + bash('Broken', ['exit 2'], '        onFailure: Continue\n')), {
    onEvent: (e) => events.push(e),
  });
  const lines = events.map(formatEvent).filter((l): l is string => l !== undefined);
  assert.deepEqual(lines.slice(0, 2), ['Document test.yml', '  Phase build']);
  assert.equal(lines[2], '    Step Hello (ExecuteBash)');
  assert.match(lines[3]!, /^ {4}SUCCESS Hello in \d+\.\ds$/);
  assert.match(lines[5]!, /^ {4}FAILED Broken in \d+\.\ds: ExecuteBash failed with exit code 2$/);
  assert.match(
    lines.at(-1)!,
    /^Execution [0-9a-f-]{36}: failed \(Document test failed: Phase build failed: Step Broken failed/,
  );
  assert.ok(events.some((e) => e.type === 'log' && e.line === 'Stdout: hi'));
});
