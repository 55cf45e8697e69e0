/** @module Renders src/model/generated/shapes.ts: a TypeScript declaration for every named shape of the model. */
import type { ServiceModel, Shape, ShapeRef, StructureShape } from '../types.ts';
import { docLine, GENERATED_HEADER, propertyKey, tsString } from './source-text.ts';

/** Structures, lists, maps and enums get a named declaration; other scalars are inlined. */
function isDeclared(shape: Shape): boolean {
  return (
    shape.type === 'structure' ||
    shape.type === 'list' ||
    shape.type === 'map' ||
    (shape.type === 'string' && shape.enum !== undefined)
  );
}

/** The TypeScript type a reference to a shape stands for. */
export function typeOf(model: ServiceModel, ref: ShapeRef): string {
  const shape = model.shapes[ref.shape];
  if (!shape) throw new Error(`unknown shape '${ref.shape}'`);
  if (isDeclared(shape)) return ref.shape;
  switch (shape.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'timestamp':
      return 'Date';
    case 'blob':
      return 'Uint8Array';
    default:
      throw new Error(`shape '${ref.shape}' of type ${shape.type} cannot be inlined`);
  }
}

function renderStructure(model: ServiceModel, name: string, shape: StructureShape): string[] {
  const required = new Set(shape.required ?? []);
  const members = Object.entries(shape.members).flatMap(([member, ref]) => [
    ...docLine(ref.documentation, '  '),
    `  ${propertyKey(member)}${required.has(member) ? '' : '?'}: ${typeOf(model, ref)};`,
  ]);
  return members.length === 0 ? [`export interface ${name} {}`] : [`export interface ${name} {`, ...members, '}'];
}

function renderShape(model: ServiceModel, name: string, shape: Shape): string[] {
  const doc = docLine(shape.documentation, '');
  switch (shape.type) {
    case 'structure':
      return [...doc, ...renderStructure(model, name, shape)];
    case 'list':
      return [...doc, `export type ${name} = ${typeOf(model, shape.member)}[];`];
    case 'map':
      return [...doc, `export type ${name} = Record<${typeOf(model, shape.key)}, ${typeOf(model, shape.value)}>;`];
    case 'string':
      return [...doc, `export type ${name} = ${(shape.enum ?? []).map(tsString).join(' | ')};`];
    default:
      return [];
  }
}

function renderOperationMap(model: ServiceModel): string[] {
  const names = Object.keys(model.operations);
  const rows = Object.values(model.operations).map(
    (op) =>
      `  ${propertyKey(op.name)}: { input: ${op.input ? typeOf(model, op.input) : 'Record<string, never>'}; ` +
      `output: ${op.output ? typeOf(model, op.output) : 'Record<string, never>'} };`,
  );
  return [
    '/** The name of every operation of the model. */',
    `export type OperationName =\n${names.map((n) => `  | ${tsString(n)}`).join('\n')};`,
    '',
    '/** Input and output structure of every operation. */',
    'export interface OperationShapes {',
    ...rows,
    '}',
    '',
    "export type OperationInput<K extends OperationName> = OperationShapes[K]['input'];",
    "export type OperationOutput<K extends OperationName> = OperationShapes[K]['output'];",
  ];
}

export function renderShapes(model: ServiceModel): string {
  const declarations = Object.entries(model.shapes)
    .filter(([, shape]) => isDeclared(shape))
    .flatMap(([name, shape]) => [...renderShape(model, name, shape), '']);
  return [
    ...GENERATED_HEADER,
    '/** @module TypeScript types for the shapes and operations of the Image Builder service model. */',
    '',
    ...declarations,
    ...renderOperationMap(model),
    '',
  ].join('\n');
}
