/**
 * @module SBOMs of an image given as layers (BuildResult.lowerDirs, topmost first): the layers are merged
 * by an overlay mount in a private mount namespace and a child process reads the merged tree.
 */
import { fileURLToPath } from 'node:url';
import { IngotError } from '../errors/ingot-error.ts';
import { runOnScratchOverlay } from '../compliance/scratch-overlay.ts';
import { generateSboms, type GeneratedSboms, type GenerateSbomsOptions } from './generate.ts';

export interface GenerateLayerSbomsOptions extends Omit<GenerateSbomsOptions, 'rootfsDir'> {
  /** The image's layers, topmost first; one directory is read directly. */
  lowerDirs: readonly string[];
  workDir?: string;
}

/** `generateSboms` over the merged view of `lowerDirs` (without the in-memory inventory). */
export async function generateSbomsForLayers(opts: GenerateLayerSbomsOptions): Promise<Omit<GeneratedSboms, 'inventory'>> {
  const { lowerDirs, workDir, ...rest } = opts;
  if (lowerDirs.length === 1) {
    const { inventory: _inventory, ...result } = await generateSboms({ ...rest, rootfsDir: lowerDirs[0]! });
    return result;
  }
  const entry = fileURLToPath(new URL('./generate-main.ts', import.meta.url));
  const run = await runOnScratchOverlay({
    lowerDirs,
    argv: [process.execPath, entry, '{ROOT}', JSON.stringify(rest)],
    ...(workDir ? { workDir } : {}),
  });
  if (run.exitCode !== 0) {
    throw new IngotError('ServiceException', `SBOM generation over ${lowerDirs.length} layers failed (exit ${run.exitCode}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Omit<GeneratedSboms, 'inventory'>;
}
