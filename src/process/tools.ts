/** @module Host tool probe: is a program on PATH (looked up in PATH's directories, no process run; cached). */
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';

const found = new Map<string, string | undefined>();

/** Absolute path of `name` on PATH (or `name` itself when it holds a slash and is executable), else undefined. */
export function findTool(name: string): string | undefined {
  const path = process.env['PATH'] ?? '';
  const key = `${name}\0${path}`;
  if (found.has(key)) return found.get(key);
  const candidates = name.includes('/') ? [name] : path.split(':').map((dir) => join(dir || '.', name));
  const hit = candidates.find((c) => {
    try {
      accessSync(c, constants.X_OK);
      return statSync(c).isFile();
    } catch {
      return false;
    }
  });
  found.set(key, hit);
  return hit;
}

/** True when `name` is an executable on PATH. */
export const hasTool = (name: string): boolean => findTool(name) !== undefined;

/** The first of `names` that is not on PATH, or undefined when all are. */
export const missingTool = (...names: string[]): string | undefined => names.find((n) => !hasTool(n));
