/** @module Compiles a validating converter for any shape of the model (structures, lists, maps, scalars). */
import type { ListShape, MapShape, ServiceModel, StructureShape } from '../../model/types.ts';
import { memberPath, ValidationIssues } from './issues.ts';
import {
  type Check,
  compileNumberCheck,
  compileScalarCheck,
  compileStringCheck,
  compileStringRules,
} from './scalar-checks.ts';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}

/** Compiles checks once per shape name; recursive shapes resolve lazily through the cache. */
export class ShapeChecks {
  readonly #model: ServiceModel;
  readonly #cache = new Map<string, Check>();

  constructor(model: ServiceModel) {
    this.#model = model;
  }

  /** The check for a shape, compiled on first use. */
  forShape(name: string): Check {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    let compiled: Check | undefined;
    this.#cache.set(name, (v, p, i) => (compiled ?? this.forShape(name))(v, p, i));
    compiled = this.#compile(name);
    this.#cache.set(name, compiled);
    return compiled;
  }

  #compile(name: string): Check {
    const shape = this.#model.shapes[name];
    if (!shape) throw new Error(`service model has no shape '${name}'`);
    switch (shape.type) {
      case 'structure':
        return this.#structure(name, shape);
      case 'list':
        return this.#list(shape);
      case 'map':
        return this.#map(shape);
      case 'string':
        return compileStringCheck(shape);
      case 'integer':
      case 'long':
      case 'double':
      case 'float':
        return compileNumberCheck(shape);
      default:
        return compileScalarCheck(shape);
    }
  }

  #structure(name: string, shape: StructureShape): Check {
    const members = new Map(Object.entries(shape.members).map(([m, ref]) => [m, this.forShape(ref.shape)] as const));
    const required = shape.required ?? [];
    return (value, path, issues) => {
      if (!isPlainObject(value)) {
        issues.add(path || name, value, `Member must be a structure (${name})`);
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const check = members.get(key);
        const child = memberPath(path, key);
        if (!check) issues.add(child, value[key], `Member must not be present: it is not a member of ${name}`);
        else if (value[key] !== null && value[key] !== undefined) out[key] = check(value[key], child, issues);
      }
      for (const key of required) {
        const child = memberPath(path, key);
        if (out[key] === undefined && !issues.reported(child)) issues.add(child, null, 'Member must not be null');
      }
      return out;
    };
  }

  #list(shape: ListShape): Check {
    const element = this.forShape(shape.member.shape);
    return (value, path, issues) => {
      if (!Array.isArray(value)) {
        issues.add(path, value, 'Member must be a list');
        return undefined;
      }
      if (shape.min !== undefined && value.length < shape.min)
        issues.add(path, value, `Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max)
        issues.add(path, value, `Member must have length less than or equal to ${shape.max}`);
      const out: unknown[] = [];
      for (let i = 0; i < value.length && !issues.full; i++) {
        const item: unknown = value[i];
        const child = `${path}.${i + 1}.member`;
        if (item === null || item === undefined) issues.add(child, item, 'Member must not be null');
        else out.push(element(item, child, issues));
      }
      return out;
    };
  }

  #map(shape: MapShape): Check {
    const keyShape = this.#model.shapes[shape.key.shape];
    const keyRules = keyShape?.type === 'string' ? compileStringRules(keyShape) : () => [];
    const valueCheck = this.forShape(shape.value.shape);
    return (value, path, issues) => {
      if (!isPlainObject(value)) {
        issues.add(path, value, 'Member must be a map');
        return undefined;
      }
      const entries = Object.entries(value);
      if (shape.min !== undefined && entries.length < shape.min)
        issues.add(path, value, `Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && entries.length > shape.max)
        issues.add(path, value, `Member must have length less than or equal to ${shape.max}`);
      const out: [string, unknown][] = [];
      for (const [key, item] of entries) {
        if (issues.full) break;
        const keyFailures = keyRules(key);
        if (keyFailures.length > 0)
          issues.add(path, key, `Map keys must satisfy constraint: [${keyFailures.join(', ')}]`);
        if (item === null || item === undefined) issues.add(`${path}.${key}`, item, 'Map value must not be null');
        else out.push([key, valueCheck(item, `${path}.${key}`, issues)]);
      }
      return Object.fromEntries(out);
    };
  }
}

/** Validates a whole value against a shape, throwing a ValidationException listing the failures. */
export function validateShape(checks: ShapeChecks, shapeName: string, value: unknown): unknown {
  const issues = new ValidationIssues();
  const result = checks.forShape(shapeName)(value, '', issues);
  issues.throwIfAny();
  return result;
}
