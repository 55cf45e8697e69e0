/** @module Renders src/model/generated/operations.ts: the HTTP binding of every operation. */
import type { InputMemberBinding, OperationDef, ServiceModel } from '../types.ts';
import { GENERATED_HEADER, propertyKey, tsString } from './source-text.ts';

/** Where each member of an input structure travels (body unless the model binds it elsewhere). */
export function inputBindings(model: ServiceModel, op: OperationDef): Record<string, InputMemberBinding> {
  const bindings: Record<string, InputMemberBinding> = {};
  if (!op.input) return bindings;
  const shape = model.shapes[op.input.shape];
  if (shape?.type !== 'structure') throw new Error(`input of ${op.name} is not a structure`);
  for (const [name, ref] of Object.entries(shape.members)) {
    const location = ref.location === undefined ? 'body' : ref.location;
    if (location !== 'body' && location !== 'uri' && location !== 'querystring' && location !== 'header') {
      throw new Error(`${op.name}.${name}: input location '${location}' is not supported`);
    }
    bindings[name] = { location, locationName: ref.locationName ?? name };
  }
  return bindings;
}

function renderOperation(model: ServiceModel, op: OperationDef): string[] {
  const q = (s: string | null): string => (s === null ? 'null' : tsString(s));
  const errors = (op.errors ?? []).map((e) => tsString(e.shape)).join(', ');
  const lines = [
    `  ${propertyKey(op.name)}: {`,
    `    name: ${tsString(op.name)},`,
    `    method: ${tsString(op.http.method)},`,
    `    requestUri: ${tsString(op.http.requestUri)},`,
    `    input: ${q(op.input?.shape ?? null)},`,
    `    output: ${q(op.output?.shape ?? null)},`,
    `    errors: [${errors}],`,
  ];
  const bindings = Object.entries(inputBindings(model, op));
  if (bindings.length === 0) {
    lines.push('    inputMembers: {},');
  } else {
    lines.push('    inputMembers: {');
    for (const [name, b] of bindings) {
      lines.push(
        `      ${propertyKey(name)}: { location: '${b.location}', locationName: ${tsString(b.locationName)} },`,
      );
    }
    lines.push('    },');
  }
  lines.push('  },');
  return lines;
}

export function renderOperations(model: ServiceModel): string {
  const ops = Object.values(model.operations);
  const lines = [
    ...GENERATED_HEADER,
    '/** @module The operations of the Image Builder model: method, URI, shapes, errors, input bindings. */',
    "import type { OperationSpec } from '../types.ts';",
    "import type { OperationName } from './shapes.ts';",
    '',
    'export const OPERATIONS = {',
    ...ops.flatMap((op) => renderOperation(model, op)),
    '} as const satisfies Record<OperationName, OperationSpec>;',
    '',
    `/** All ${ops.length} operation names, in model order. */`,
    'export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];',
    '',
  ];
  return lines.join('\n');
}
