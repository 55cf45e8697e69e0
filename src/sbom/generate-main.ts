/**
 * @module Child-process entry for `generateSbomsForLayers`: `node generate-main.ts ROOT OPTIONS_JSON`
 * prints the result as JSON; a failure is one `SBOM_ERROR_PREFIX` line on stderr (exit 1), not a stack.
 */
import { IngotError } from '../errors/ingot-error.ts';
import { generateSboms, type GenerateSbomsOptions } from './generate.ts';
import { linksStayInside } from './inventory-reuse.ts';

/** Marks the stderr line that carries a failure as JSON `{ type, message }` (`type`: a neutral error code). */
export const SBOM_ERROR_PREFIX = 'ingot-sbom-error: ';

if (import.meta.main) {
  const [rootfsDir, optionsJson] = process.argv.slice(2);
  try {
    const { reusable, ...opts } = JSON.parse(optionsJson ?? '{}') as Omit<GenerateSbomsOptions, 'rootfsDir'> & {
      reusable?: boolean;
    };
    const { inventory, ...result } = await generateSboms({ ...opts, rootfsDir: rootfsDir ?? '' });
    // `reusable`: the inventory too, and whether a layer writing outside etc/usr/var leaves it as is.
    const reuse = reusable ? { inventory, linksInside: await linksStayInside(rootfsDir ?? '') } : {};
    process.stdout.write(`${JSON.stringify({ ...result, ...reuse })}\n`);
  } catch (err) {
    const type = err instanceof IngotError ? err.code : 'internal';
    process.stderr.write(
      `${SBOM_ERROR_PREFIX}${JSON.stringify({ type, message: (err as Error)?.message ?? String(err) })}\n`,
    );
    process.exitCode = 1;
  }
}
