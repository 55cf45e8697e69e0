/** @module Serialises handler output as rest-json: only the output shape's members, timestamps as epoch seconds. */
import type { ServiceModel } from '../../model/types.ts';

/** Turns a handler's value into its JSON form (undefined when the value has no place in the shape). */
type Serialize = (value: unknown) => unknown;

const identity: Serialize = (value) => value;

function toEpochSeconds(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (typeof value === 'string') return new Date(value).getTime() / 1000;
  return value;
}

export class OutputSerializers {
  readonly #model: ServiceModel;
  readonly #cache = new Map<string, Serialize>();
  /** Per output shape, its members bound to response headers: [member, header name]. */
  readonly #headerMembers = new Map<string, [string, string][]>();

  constructor(model: ServiceModel) {
    this.#model = model;
  }

  forShape(name: string): Serialize {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    let compiled: Serialize | undefined;
    this.#cache.set(name, (v) => (compiled ?? this.forShape(name))(v));
    compiled = this.#compile(name);
    this.#cache.set(name, compiled);
    return compiled;
  }

  #compile(name: string): Serialize {
    const shape = this.#model.shapes[name];
    switch (shape?.type) {
      case 'structure': {
        const members = Object.entries(shape.members)
          .filter(([, ref]) => ref.location === undefined)
          .map(([member, ref]) => [member, ref.locationName ?? member, this.forShape(ref.shape)] as const);
        return (value) => {
          if (typeof value !== 'object' || value === null) return undefined;
          const source = value as Record<string, unknown>;
          const out: Record<string, unknown> = {};
          for (const [member, jsonKey, serialize] of members) {
            const v = source[member];
            if (v !== undefined && v !== null) out[jsonKey] = serialize(v);
          }
          return out;
        };
      }
      case 'list': {
        const element = this.forShape(shape.member.shape);
        return (value) => (Array.isArray(value) ? value.map(element) : undefined);
      }
      case 'map': {
        const element = this.forShape(shape.value.shape);
        return (value) =>
          typeof value === 'object' && value !== null
            ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, element(v)]))
            : undefined;
      }
      case 'timestamp':
        return toEpochSeconds;
      case 'blob':
        return (value) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value);
      default:
        return identity;
    }
  }

  /** Output members the model binds to response headers, as (header name, text) pairs. */
  headersOf(outputShape: string, value: Record<string, unknown>): [string, string][] {
    let members = this.#headerMembers.get(outputShape);
    if (!members) {
      const shape = this.#model.shapes[outputShape];
      members =
        shape?.type === 'structure'
          ? Object.entries(shape.members)
              .filter(([, ref]) => ref.location === 'header')
              .map(([member, ref]) => [member, ref.locationName ?? member])
          : [];
      this.#headerMembers.set(outputShape, members);
    }
    const headers: [string, string][] = [];
    for (const [member, name] of members) {
      const v = value[member];
      if (v !== undefined && v !== null) headers.push([name, v instanceof Date ? v.toUTCString() : String(v)]);
    }
    return headers;
  }
}
