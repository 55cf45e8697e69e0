/** @module Checks every `{{ }}` reference: known variables, loop values inside loops, chaining to earlier steps only. */
import { findAction } from '../actions/index.ts';
import { findReferences } from './references.ts';
import type { Reference } from './references.ts';
import type { Reporter } from './reporter.ts';
import type { DocPath } from './source.ts';
import type { Comparison, ComponentDocument, Condition, JsonValue, Step } from './types.ts';

/** Calls `visit` for each string inside `value`, with its path. */
function eachString(value: JsonValue | undefined, path: DocPath, visit: (text: string, path: DocPath) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => eachString(v, [...path, i], visit));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) eachString(v, [...path, k], visit);
}

function conditionStrings(c: Condition, path: DocPath, visit: (text: string, path: DocPath) => void): void {
  if (c.op === 'and' || c.op === 'or') c.operands.forEach((o, i) => conditionStrings(o, [...path, c.op, i], visit));
  else if (c.op === 'not') conditionStrings(c.operand, [...path, 'not'], visit);
  else {
    const cmp = c as Comparison;
    eachString(cmp.operand, [...path, cmp.op], visit);
    if (cmp.value !== undefined) eachString(cmp.value, [...path, 'value'], visit);
    if (cmp.path !== undefined) eachString(cmp.path, [...path, 'path'], visit);
  }
}

interface Earlier {
  phase: string;
  step: Step;
}

function checkChain(
  ref: Extract<Reference, { kind: 'chain' }>,
  earlier: Earlier[],
  doc: ComponentDocument,
): string | undefined {
  const target = earlier.find((e) => e.phase === ref.phase && e.step.name === ref.step);
  if (!target) {
    const exists = doc.phases.some((p) => p.name === ref.phase && p.steps.some((s) => s.name === ref.step));
    return exists
      ? `chaining to '${ref.phase}.${ref.step}', which has not run yet; chaining can only use earlier steps`
      : `chaining to unknown step '${ref.phase}.${ref.step}'; expected phase.step of an earlier step`;
  }
  if (ref.io === 'outputs') {
    const outputs = findAction(target.step.action)?.outputs ?? [];
    if (!outputs.includes(ref.field)) {
      return (
        `${target.step.action} step '${ref.step}' has no output '${ref.field}'` +
        (outputs.length ? `; it has: ${outputs.join(', ')}` : '; it has no outputs')
      );
    }
    return undefined;
  }
  const inputs = target.step.inputs;
  const item = Array.isArray(inputs) ? inputs[ref.index ?? 0] : ref.index ? undefined : inputs;
  if (!item || typeof item !== 'object' || Array.isArray(item) || !(ref.field in item)) {
    return `step '${ref.phase}.${ref.step}' has no input ${ref.index !== undefined ? `[${ref.index}].` : ''}${ref.field}`;
  }
  return undefined;
}

function checkVariable(name: string, variables: ReadonlySet<string>): string | undefined {
  if (variables.has(name)) return undefined;
  const known = variables.size ? ` (${[...variables].join(', ')})` : ' (this document defines none)';
  return `unknown variable '{{ ${name} }}'; expected a parameter or constant${known}`;
}

function checkLoop(ref: Extract<Reference, { kind: 'loop' }>, step: Step): string | undefined {
  const expr = `{{ ${ref.loopName}.${ref.member} }}`;
  if (!step.loop) return `'${expr}' is used outside a loop; this step has no 'loop'`;
  if (ref.loopName === 'loop' || ref.loopName === step.loop.name) return undefined;
  return (
    `'${expr}' names no loop of this step; use '{{ loop.${ref.member} }}'` +
    (step.loop.name ? ` or '{{ ${step.loop.name}.${ref.member} }}'` : '')
  );
}

export function checkReferences(r: Reporter, doc: ComponentDocument): void {
  const variables = new Set([...doc.parameters.map((p) => p.name), ...doc.constants.map((c) => c.name)]);
  const earlier: Earlier[] = [];
  doc.phases.forEach((phase, pi) => {
    phase.steps.forEach((step, si) => {
      const at: DocPath = ['phases', pi, 'steps', si];
      const visit = (text: string, path: DocPath) => {
        for (const { expr, ref } of findReferences(text)) {
          const problem = !ref
            ? `'{{ ${expr} }}' is not a valid reference`
            : ref.kind === 'variable'
              ? checkVariable(ref.name, variables)
              : ref.kind === 'loop'
                ? checkLoop(ref, step)
                : checkChain(ref, earlier, doc);
          if (problem) r.error(path, problem);
        }
      };
      eachString(step.inputs, [...at, 'inputs'], visit);
      if (step.loop?.kind === 'forEach') step.loop.items.forEach((v, i) => visit(v, [...at, 'loop', 'forEach', i]));
      if (step.loop?.kind === 'forEachList') visit(step.loop.list, [...at, 'loop', 'forEach', 'list']);
      if (step.if) conditionStrings(step.if.condition, [...at, 'if'], visit);
      earlier.push({ phase: phase.name, step });
    });
  });
}
