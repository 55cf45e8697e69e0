/**
 * @module SBOMs of an image given as layers (BuildResult.lowerDirs, topmost first): the layers are merged
 * by an overlay mount in a private mount namespace and a child process reads the merged tree. A failure
 * is an IngotError with a one-line reason, `SBOM generation failed: ...`, never a child's stack trace.
 */
import { fileURLToPath } from 'node:url';
import { type AwsErrorType, type ErrorCode, IngotError, isAwsErrorType, isErrorCode } from '../errors/ingot-error.ts';
import { runOnScratchOverlay } from '../rootfs/scratch-overlay.ts';
import { generateSboms, type GeneratedSboms, type GenerateSbomsOptions } from './generate.ts';
import type { Inventory } from './inventory.ts';
import { linksStayInside } from './inventory-reuse.ts';
import { SBOM_ERROR_PREFIX } from './generate-main.ts';

export interface GenerateLayerSbomsOptions extends Omit<GenerateSbomsOptions, 'rootfsDir'> {
  /** The image's layers, topmost first; one directory is read directly. */
  lowerDirs: readonly string[];
  workDir?: string;
  /** The build's abort signal: cancelling ends the SBOM process. */
  signal?: AbortSignal;
  /** The build's reader cgroup (`cgroup.procs` files): the SBOM process runs under its limits. */
  cgroupProcs?: readonly string[];
  /** Also return the inventory, and whether it may be reused (inventory-reuse.ts). */
  reusable?: boolean;
}

/** The result, with the inventory and `linksInside` (see linksStayInside) when `reusable` was asked. */
export type LayerSboms = Omit<GeneratedSboms, 'inventory'> & { inventory?: Inventory; linksInside?: boolean };

const MAX_REASON = 500;

function failure(type: ErrorCode | AwsErrorType, reason: string, cause?: unknown): IngotError {
  const line = reason.replace(/\s*\n\s*/g, ' ').trim();
  const short = line.length > MAX_REASON ? `${line.slice(0, MAX_REASON)}...` : line;
  return new IngotError(
    type,
    `SBOM generation failed: ${short || 'no reason given'}`,
    cause === undefined ? {} : { cause },
  );
}

/** The reason a child run gave: its error line, else the error line of a Node crash (or the first line that is no stack frame or banner). */
export function childFailure(exitCode: number, stderr: string): IngotError {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const marked = lines.find((l) => l.startsWith(SBOM_ERROR_PREFIX));
  if (marked) {
    try {
      const { type, message } = JSON.parse(marked.slice(SBOM_ERROR_PREFIX.length)) as {
        type?: string;
        message?: string;
      };
      // The child writes a neutral code; an AWS type (older children) is understood too.
      const known = type && (isErrorCode(type) || isAwsErrorType(type)) ? type : 'internal';
      return failure(known, message ?? '');
    } catch {
      // fall through to the plain stderr
    }
  }
  const useful = lines.filter((l) => !/^at |^Node\.js v|^[{}[\]|^~]+$|^file:\/\/|^node:internal/.test(l));
  const errorLine = useful.find((l) => /^[\w.$]*(Error|Exception)( \[\w+\])?: /.test(l)) ?? useful[0];
  return failure('ServiceException', `${errorLine ?? 'the SBOM process printed nothing'} (exit ${exitCode})`);
}

/** `generateSboms` over the merged view of `lowerDirs` (without the in-memory inventory). */
export async function generateSbomsForLayers(opts: GenerateLayerSbomsOptions): Promise<LayerSboms> {
  const { lowerDirs, workDir, signal, cgroupProcs, reusable, ...rest } = opts;
  // One plain tree is read in this process, unless the reads must count against a build's cgroup.
  if (lowerDirs.length === 1 && !cgroupProcs?.length) {
    try {
      const { inventory, ...result } = await generateSboms({
        ...rest,
        rootfsDir: lowerDirs[0]!,
        ...(signal ? { signal } : {}),
      });
      return reusable ? { ...result, inventory, linksInside: await linksStayInside(lowerDirs[0]!) } : result;
    } catch (err) {
      throw failure(err instanceof IngotError ? err.code : 'internal', (err as Error)?.message ?? String(err), err);
    }
  }
  const entry = fileURLToPath(new URL('./generate-main.ts', import.meta.url));
  const run = await runOnScratchOverlay({
    lowerDirs,
    argv: [process.execPath, entry, '{ROOT}', JSON.stringify({ ...rest, ...(reusable ? { reusable } : {}) })],
    ...(workDir ? { workDir } : {}),
    ...(signal ? { signal } : {}),
    ...(cgroupProcs ? { cgroupProcs } : {}),
  });
  if (signal?.aborted) throw failure('ServiceException', 'cancelled');
  if (run.exitCode !== 0) throw childFailure(run.exitCode, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as LayerSboms;
}
