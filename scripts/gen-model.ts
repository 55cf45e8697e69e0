/** @module `npm run gen:model`: regenerates src/model/generated/*.ts from the service model JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { renderGeneratedFiles } from '../src/model/codegen/render.ts';
import { loadServiceModel } from '../src/model/service-model.ts';

for (const file of renderGeneratedFiles(loadServiceModel())) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.text);
  console.log(`wrote ${relative(process.cwd(), file.path)} (${file.text.length} bytes)`);
}
