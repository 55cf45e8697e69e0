/** @module Loads the Image Builder service model (botocore service-2.json, Apache-2.0) shipped in src/model/data. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceModel, Shape, StructureShape } from './types.ts';

export const SERVICE_MODEL_PATH = join(import.meta.dirname, 'data', 'imagebuilder-2019-12-02.service-2.json');

let cached: ServiceModel | undefined;

/** The parsed model, read once per process. */
export function loadServiceModel(): ServiceModel {
  cached ??= JSON.parse(readFileSync(SERVICE_MODEL_PATH, 'utf8')) as ServiceModel;
  return cached;
}

/** A shape by name; throws if the model does not define it (a bug, not a user error). */
export function getShape(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`service model has no shape '${name}'`);
  return shape;
}

export function getStructure(model: ServiceModel, name: string): StructureShape {
  const shape = getShape(model, name);
  if (shape.type !== 'structure') throw new Error(`shape '${name}' is a ${shape.type}, not a structure`);
  return shape;
}
