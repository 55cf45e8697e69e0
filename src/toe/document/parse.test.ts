/** @module Validator tests: in-repo fixtures, hand-written cases and (when present) the whole shared corpus. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ACTION_NAMES } from '../actions/index.ts';
import { parseComponentDocument } from './index.ts';
import type { DocumentError } from './index.ts';

const FIXTURES = new URL('../../../test/fixtures/toe', import.meta.url).pathname;
const CORPUS = new URL('../../../../shared/corpus-sample/components', import.meta.url).pathname;
const FRAGMENTS = new URL('../../../../shared/corpus-sample/fragments', import.meta.url).pathname;

/** What each broken document must be rejected for: a path prefix and a message pattern. */
const BROKEN: Record<string, { path: string; message: RegExp }> = {
  'yaml-syntax-install-vscode.yml': { path: '', message: /not valid YAML/ },
  'phases-not-a-list.yml': { path: 'phases', message: /must be a non-empty list/ },
  'schema-placeholder-template.yml': { path: 'schemaVersion', message: /unsupported schemaVersion/ },
  'parameters-name-field.yml': { path: 'parameters[0]', message: /one-key mapping.*- ToolVersion:/ },
  'chaining-unknown-step.yml': {
    path: 'phases[0].steps[2].inputs.commands[0]',
    message: /unknown step 'build.ScriptUrlScheme'/,
  },
  'missing-schema-version.yml': { path: '', message: /missing 'schemaVersion'/ },
  'delete-file-force.yml': { path: 'phases[0].steps[10].inputs[0].force', message: /unknown input 'force'/ },
  'duplicate-step-names.yml': { path: 'phases[0].steps[1].name', message: /duplicate step name 'Hello'/ },
  'unknown-phase.yml': { path: 'phases[0].name', message: /unknown phase.*deploy/ },
  'schema-version-2.yml': { path: 'schemaVersion', message: /unsupported schemaVersion number 2/ },
  'chaining-later-step.yml': { path: 'phases[0].steps[0].inputs.commands[0]', message: /has not run yet/ },
};

/** Corpus files that are genuinely broken (read one by one), mapped to the fixture case they match. */
const CORPUS_BROKEN: Record<string, RegExp> = {
  'install-vscode.yml': /not valid YAML/,
  'example__examplea__component.yml': /phases.*non-empty list/,
  'Components__Windows__chef-recipe-execution-windows__component.yml': /not valid YAML/,
  'Components__Linux__inspec-recipe-execution-linux__inspec-test-linux-component.yml': /unknown input 'force'/,
  'cli__src__pcluster__resources__imagebuilder__custom_script.yml': /unknown step 'build\.ScriptUrl/,
  'doc_source__toe-use-documents.md__L104-L120.yml': /missing 'schemaVersion'/,
  'doc_source__toe-use-documents.md__L126-L138.yml': /missing 'schemaVersion'/,
  'doc_source__toe-use-documents.md__L146-L158.yml': /unsupported schemaVersion/,
  'image_specs__golden_image_spec__component_specifications__prometheus-exporters-component.yml': /not valid YAML/,
  'image_specs__golden_image_spec__component_specifications__systemd-timesyncd-component.yml': /not valid YAML/,
};
/** Every other chaunceyyann spec declares parameters as `- name: X` (a templating tool's input, not AWSTOE). */
const corpusExpectation = (file: string): RegExp | undefined =>
  CORPUS_BROKEN[file] ?? (file.startsWith('image_specs__') ? /one-key mapping/ : undefined);

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
const describe = (errors: DocumentError[]) =>
  errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`).join('\n');

test('valid fixtures parse into documents', () => {
  for (const file of walk(join(FIXTURES, 'valid'))) {
    const result = parseComponentDocument(readFileSync(file, 'utf8'), { fileName: file });
    assert.ok(result.ok, `${file}:\n${result.ok ? '' : describe(result.errors)}`);
  }
});

test('invalid fixtures are rejected with the path, line and a message saying what was expected', () => {
  for (const file of walk(join(FIXTURES, 'invalid'))) {
    const name = file.split('/').pop()!;
    const expected = BROKEN[name];
    assert.ok(expected, `no expectation for ${name}`);
    const result = parseComponentDocument(readFileSync(file, 'utf8'));
    assert.equal(result.ok, false, `${name} should be rejected`);
    if (result.ok) continue;
    const hit = result.errors.find((e) => e.path.startsWith(expected.path) && expected.message.test(e.message));
    assert.ok(hit, `${name}: expected ${expected.path} ${expected.message}, got:\n${describe(result.errors)}`);
    assert.ok(hit.line >= 1 && hit.column >= 1);
  }
});

test('errors point at the offending line and column', () => {
  const text =
    'schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: A\n        action: ExecuteBash\n        onFailure: Sometimes\n        inputs:\n          commands: [echo]\n';
  const result = parseComponentDocument(text);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(
    result.errors.map((e) => [e.path, e.line, e.column]),
    [['phases[0].steps[0].onFailure', 7, 20]],
  );
  assert.match(result.errors[0]!.message, /Abort, Continue, Ignore/);
});

test('step fields, loops, conditions and references are checked', () => {
  const doc = (step: string, extra = '') => `schemaVersion: 1.0\n${extra}phases:\n  - name: build\n    steps:\n${step}`;
  const cases: Array<[string, RegExp]> = [
    [
      doc('      - name: A\n        action: ExecuteBash\n        inputs: { commands: "echo {{ nope }}" }\n'),
      /'commands' must be a list of strings/,
    ],
    [
      doc('      - name: A\n        action: ExecuteBash\n        inputs: { commands: ["echo {{ nope }}"] }\n'),
      /unknown variable '\{\{ nope \}\}'/,
    ],
    [
      doc('      - name: A\n        action: ExecuteBash\n        inputs: { commands: ["echo {{ loop.value }}"] }\n'),
      /outside a loop/,
    ],
    [
      doc(
        '      - name: A\n        action: ExecuteBash\n        loop: { for: { start: 1, end: 3, updateBy: -1 } }\n        inputs: { commands: [x] }\n',
      ),
      /never takes 1 to 3/,
    ],
    [
      doc(
        '      - name: A\n        action: ExecuteBash\n        timeoutSeconds: 0\n        inputs: { commands: [x] }\n',
      ),
      /positive integer or -1/,
    ],
    [doc('      - name: A\n        action: Frobnicate\n'), /unknown action string "Frobnicate"/],
    [
      doc(
        '      - name: A\n        action: ExecuteBash\n        if: { stringEquals: a }\n        inputs: { commands: [x] }\n',
      ),
      /needs 'value'/,
    ],
    [doc('      - name: A\n        action: CreateFile\n        inputs: [{ content: x }]\n'), /'path' is required/],
    [
      doc(
        '      - name: A\n        action: ExecuteDocument\n        timeoutSeconds: 60\n        inputs: { document: x.yml }\n',
      ),
      /does not allow a timeout/,
    ],
    [
      doc(
        '      - name: A\n        action: ExecuteBash\n        inputs: { commands: [x] }\n',
        'parameters:\n  - Pa:\n      type: string\n',
      ),
      /3-128 characters/,
    ],
    [
      doc(
        '      - name: A\n        action: ExecuteBash\n        inputs: { commands: [x] }\n',
        'parameters:\n  - Count:\n      type: integer\n      default: many\n',
      ),
      /default must be a integer/,
    ],
  ];
  for (const [text, pattern] of cases) {
    const result = parseComponentDocument(text);
    assert.equal(result.ok, false, text);
    if (!result.ok)
      assert.ok(
        result.errors.some((e) => pattern.test(e.message)),
        `${pattern}:\n${describe(result.errors)}`,
      );
  }
});

test('JSON documents, named loops, Go-template braces and Windows modules validate', () => {
  const json = JSON.stringify({
    schemaVersion: '1.0',
    phases: [
      {
        name: 'build',
        steps: [
          {
            name: 'Loop',
            action: 'ExecuteBash',
            loop: { name: 'hosts', forEach: ['a', 'b'] },
            inputs: { commands: ['echo {{ hosts.index }} {{ loop.value }} {{.NotAwstoe}}'] },
          },
          { name: 'Win', action: 'ExecutePowerShell', inputs: { commands: ['Write-Host hi'] } },
          { name: 'Use', action: 'ExecuteBash', inputs: { commands: ['echo {{ build.Loop.outputs.stdout }}'] } },
        ],
      },
    ],
  });
  const result = parseComponentDocument(json);
  assert.ok(result.ok, result.ok ? '' : describe(result.errors));
  assert.deepEqual(result.document.phases[0]!.steps[0]!.loop, { kind: 'forEach', items: ['a', 'b'], name: 'hosts' });
  assert.equal(result.document.phases[0]!.steps[0]!.timeoutSeconds, 1800);
});

test('every document in the shared corpus validates unless it is genuinely broken', (t) => {
  if (!existsSync(CORPUS)) return t.skip('../shared/corpus-sample/components absent');
  for (const file of walk(CORPUS)) {
    const name = file.split('/').pop()!;
    const result = parseComponentDocument(readFileSync(file, 'utf8'), { fileName: name });
    const expected = corpusExpectation(name);
    if (!expected) {
      assert.ok(result.ok, `${name} should be valid:\n${result.ok ? '' : describe(result.errors)}`);
    } else {
      assert.equal(result.ok, false, `${name} should be rejected`);
      if (!result.ok)
        assert.ok(
          result.errors.some((e) => expected.test(e.message)),
          `${name}: expected ${expected}:\n${describe(result.errors)}`,
        );
    }
  }
});

test('user-guide step examples (shared corpus fragments) validate as steps', (t) => {
  if (!existsSync(FRAGMENTS)) return t.skip('../shared/corpus-sample/fragments absent');
  // The guide's S3Upload loop example wraps its inputs in `commands:`, which S3Upload does not take.
  const knownBad = /image-builder-looping-constructs\.md__L243-L252/;
  let checked = 0;
  for (const file of walk(FRAGMENTS)) {
    const text = readFileSync(file, 'utf8');
    let step: unknown;
    try {
      step = parse(text);
    } catch {
      continue;
    } // prose placeholders such as `*log` are not YAML
    if (
      !step ||
      typeof step !== 'object' ||
      Array.isArray(step) ||
      !ACTION_NAMES.includes(String((step as { action?: unknown }).action))
    )
      continue;
    const body = text
      .split('\n')
      .map((l) => `        ${l}`)
      .join('\n')
      .replace(/^ {8}/, '      - ');
    const result = parseComponentDocument(`schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n${body}\n`);
    checked++;
    if (knownBad.test(file)) assert.equal(result.ok, false, file);
    else assert.ok(result.ok, `${file}:\n${result.ok ? '' : describe(result.errors)}`);
  }
  assert.ok(checked > 50, `only ${checked} fragments checked`);
});
