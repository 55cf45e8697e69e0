/** @module The generated model files as (path, text) pairs, shared by the generator script and its test. */
import { join } from 'node:path';
import type { ServiceModel } from '../types.ts';
import { renderOperations } from './emit-operations.ts';
import { renderShapes } from './emit-shapes.ts';

export const GENERATED_DIR = join(import.meta.dirname, '..', 'generated');

export interface GeneratedFile {
  path: string;
  text: string;
}

export function renderGeneratedFiles(model: ServiceModel): GeneratedFile[] {
  return [
    { path: join(GENERATED_DIR, 'operations.ts'), text: renderOperations(model) },
    { path: join(GENERATED_DIR, 'shapes.ts'), text: renderShapes(model) },
  ];
}
