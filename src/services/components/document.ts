/**
 * @module The one place the component services meet the AWSTOE document validator: validates a
 * document and extracts what the API reports about it (parameters, BUILD/TEST type).
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type { ComponentParameterDetail, ComponentType } from '../../model/generated/shapes.ts';
import { parseComponentDocument } from '../../toe/document/index.ts';

export interface DocumentFacts {
  type: ComponentType;
  parameters: ComponentParameterDetail[];
}

/** Validates `data`; a broken document is a 400 whose message lists every error with its line. */
export function checkComponentDocument(data: string, field = 'data'): DocumentFacts {
  const result = parseComponentDocument(data, { fileName: field });
  if (!result.ok) {
    const lines = result.errors
      .slice(0, 20)
      .map((e) => `line ${e.line}, column ${e.column}: ${e.path ? `${e.path}: ` : ''}${e.message}`);
    const more = result.errors.length > 20 ? ` (and ${result.errors.length - 20} more)` : '';
    throw new IngotError(
      'InvalidParameterValueException',
      `The component document in '${field}' is not valid: ${lines.join('; ')}${more}`,
      {
        data: { errors: result.errors },
      },
    );
  }
  return factsOf(result.document as unknown);
}

function factsOf(document: unknown): DocumentFacts {
  const doc = (document ?? {}) as { phases?: { name?: string }[]; parameters?: unknown };
  const phases = (doc.phases ?? []).map((p) => p.name);
  const type: ComponentType =
    phases.includes('build') || phases.includes('validate') || !phases.includes('test') ? 'BUILD' : 'TEST';
  return { type, parameters: parametersOf(doc.parameters) };
}

/** Document parameters arrive as a list of `{ name, type, default?, description? }` or AWSTOE's `[{ Name: {...} }]`. */
function parametersOf(raw: unknown): ComponentParameterDetail[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((entry): ComponentParameterDetail[] => {
    if (!entry || typeof entry !== 'object') return [];
    const e = entry as Record<string, unknown>;
    const [name, spec] = typeof e['name'] === 'string' ? [e['name'], e] : (Object.entries(e)[0] ?? []);
    if (typeof name !== 'string' || !spec || typeof spec !== 'object') return [];
    const s = spec as Record<string, unknown>;
    const detail: ComponentParameterDetail = { name, type: apiParameterType(String(s['type'] ?? 'string')) };
    const def = s['default'] ?? s['defaultValue'];
    if (def !== undefined) detail.defaultValue = Array.isArray(def) ? def.map(String) : [String(def)];
    if (typeof s['description'] === 'string') detail.description = s['description'];
    return [detail];
  });
}

/** The API spells parameter types String, Integer, Boolean, StringList (documents use lower camel case). */
function apiParameterType(type: string): string {
  return type.charAt(0).toUpperCase() + type.slice(1);
}
