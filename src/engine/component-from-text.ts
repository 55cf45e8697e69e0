/**
 * @module Makes a BuildComponent from a component document's text, checking the parameters the
 * recipe gives against the ones the document declares.
 */
import { IngotError } from '../errors/ingot-error.ts';
import { parseComponentDocument } from '../toe/document/index.ts';
import type { BuildComponent } from './request.ts';

export interface ComponentSource {
  /** Shown in logs and image history; defaults to the document's own `name`. */
  name?: string | undefined;
  version: string;
  arn?: string;
  text: string;
  /** From the recipe: `[{ name, value: [..] }]`. */
  parameters?: readonly { name: string; value: readonly string[] }[];
  /** Where the document came from, for messages. */
  origin: string;
}

export function componentFromText(src: ComponentSource): BuildComponent {
  const parsed = parseComponentDocument(src.text, { fileName: src.origin });
  if (!parsed.ok) {
    const first = parsed.errors
      .slice(0, 5)
      .map((e) => `${src.origin}:${e.line}:${e.column}: ${e.path}: ${e.message}`)
      .join('\n');
    throw new IngotError('invalid-input', `the component document ${src.origin} is not valid:\n${first}`);
  }
  const declared = new Set(parsed.document.parameters.map((p) => p.name));
  const parameters: Record<string, string> = {};
  for (const p of src.parameters ?? []) {
    if (!declared.has(p.name))
      throw new IngotError(
        'invalid-input',
        `component ${src.name ?? parsed.document.name}: it has no parameter '${p.name}' (it has: ${[...declared].join(', ') || 'none'})`,
      );
    parameters[p.name] = p.value.join(',');
  }
  const name = src.name ?? (parsed.document.name || src.origin);
  return {
    name,
    version: src.version,
    ...(src.arn ? { arn: src.arn } : {}),
    text: src.text,
    document: parsed.document,
    parameters,
  };
}
