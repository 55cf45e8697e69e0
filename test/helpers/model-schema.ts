/**
 * @module Test support: checks a response against its operation's output shape in the Image
 * Builder service model, with ajv and JSON Schemas built here from the model (independent of the
 * server's own codec): required members, no unknown members, types, enums, lengths, ranges and
 * patterns (the model's patterns are Java regexes; all of Image Builder's compile as JS `u` ones).
 */
import { createRequire } from 'node:module';
import { loadServiceModel } from '../../src/model/service-model.ts';

type Schema = Record<string, unknown>;
interface ModelShape {
  type: string;
  members?: Record<string, { shape: string; location?: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
}

/** `wire`: the JSON body as sent (timestamps are epoch seconds); `cli`: as the aws CLI prints it. */
export type SchemaMode = 'wire' | 'cli';

function shapeSchema(shape: ModelShape, mode: SchemaMode): Schema {
  const ref = (name: string) => ({ $ref: `#/definitions/${name}` });
  switch (shape.type) {
    case 'structure': {
      const properties: Record<string, unknown> = {};
      for (const [name, m] of Object.entries(shape.members ?? {})) if (!m.location) properties[name] = ref(m.shape);
      return {
        type: 'object',
        properties,
        additionalProperties: false,
        ...(shape.required?.length ? { required: shape.required } : {}),
      };
    }
    case 'list':
      return {
        type: 'array',
        items: ref(shape.member!.shape),
        ...(shape.min !== undefined ? { minItems: shape.min } : {}),
        ...(shape.max !== undefined ? { maxItems: shape.max } : {}),
      };
    case 'map':
      return {
        type: 'object',
        propertyNames: ref(shape.key!.shape),
        additionalProperties: ref(shape.value!.shape),
        ...(shape.min !== undefined ? { minProperties: shape.min } : {}),
        ...(shape.max !== undefined ? { maxProperties: shape.max } : {}),
      };
    case 'string':
      return {
        type: 'string',
        ...(shape.enum ? { enum: shape.enum } : {}),
        ...(shape.pattern ? { pattern: shape.pattern } : {}),
        ...(shape.min !== undefined ? { minLength: shape.min } : {}),
        ...(shape.max !== undefined ? { maxLength: shape.max } : {}),
      };
    case 'integer':
    case 'long':
    case 'double':
      return {
        type: shape.type === 'double' ? 'number' : 'integer',
        ...(shape.min !== undefined ? { minimum: shape.min } : {}),
        ...(shape.max !== undefined ? { maximum: shape.max } : {}),
      };
    case 'boolean':
      return { type: 'boolean' };
    case 'timestamp':
      // The CLI prints what botocore parsed: epoch seconds as sent (v1's default) or ISO 8601 (v2's).
      return mode === 'wire'
        ? { type: 'number' }
        : { anyOf: [{ type: 'number' }, { type: 'string', format: 'date-time' }] };
    default:
      throw new Error(`model-schema: no JSON Schema for shape type ${shape.type}`);
  }
}

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };

/** Returns `check(operation, output)`: undefined when the output fits the operation's output shape, else the problems. */
export function outputChecker(mode: SchemaMode): (operation: string, output: unknown) => string | undefined {
  const model = loadServiceModel() as unknown as {
    operations: Record<string, { output?: { shape: string } }>;
    shapes: Record<string, ModelShape>;
  };
  const definitions: Record<string, Schema> = {};
  for (const [name, shape] of Object.entries(model.shapes)) definitions[name] = shapeSchema(shape, mode);
  const require = createRequire(import.meta.url);
  const Ajv = require('ajv') as new (o: object) => { compile(s: object): Validate };
  const addFormats = require('ajv-formats') as (a: object) => void;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: true });
  addFormats(ajv);
  const compiled = new Map<string, Validate>();
  return (operation, output) => {
    const shapeName = model.operations[operation]?.output?.shape;
    if (!shapeName) return `the model has no operation ${operation}`;
    let validate = compiled.get(shapeName);
    if (!validate) {
      validate = ajv.compile({ definitions, $ref: `#/definitions/${shapeName}` });
      compiled.set(shapeName, validate);
    }
    if (validate(output)) return undefined;
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
  };
}

/** The error types an operation's model lists (what SDKs raise as modelled exceptions). */
export function modelledErrors(operation: string): string[] {
  const model = loadServiceModel() as unknown as { operations: Record<string, { errors?: { shape: string }[] }> };
  return (model.operations[operation]?.errors ?? []).map((e) => e.shape);
}

/** Every operation name of the model. */
export function modelOperations(): string[] {
  return Object.keys((loadServiceModel() as unknown as { operations: Record<string, unknown> }).operations);
}
