/** @module Child-process entry for `generateSbomsForLayers`: `node generate-main.ts ROOT OPTIONS_JSON` prints the result as JSON. */
import { generateSboms, type GenerateSbomsOptions } from './generate.ts';

if (import.meta.main) {
  const [rootfsDir, optionsJson] = process.argv.slice(2);
  const opts = JSON.parse(optionsJson ?? '{}') as Omit<GenerateSbomsOptions, 'rootfsDir'>;
  const { inventory: _inventory, ...result } = await generateSboms({ ...opts, rootfsDir: rootfsDir ?? '' });
  process.stdout.write(JSON.stringify(result) + '\n');
}
