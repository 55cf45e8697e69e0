/** @module Parses and validates an AWSTOE component document (YAML or JSON): the one entry point for API, CLI and executor. */
import { checkReferences } from './check-references.ts';
import { asText, checkKeys, describeType, isRecord, Reporter } from './reporter.ts';
import { readSource } from './source.ts';
import { readPhases } from './steps.ts';
import type { ComponentDocument, DocumentError, ParseResult } from './types.ts';
import { checkUniqueVariables, readConstants, readParameters } from './variables.ts';

export type * from './types.ts';
export { formatPath } from './source.ts';

const TOP_KEYS = ['name', 'description', 'schemaVersion', 'parameters', 'constants', 'phases'];

function schemaVersionOk(v: unknown): boolean {
  return v === 1 || v === '1.0' || v === '1';
}

export function parseComponentDocument(text: string, _opts: { fileName?: string } = {}): ParseResult {
  const source = readSource(text);
  if (source.syntaxErrors.length) return { ok: false, errors: source.syntaxErrors };
  const r = new Reporter(source);
  const raw = source.value;
  if (!isRecord(raw)) {
    r.error([], `a component document is a mapping with schemaVersion and phases, found ${describeType(raw)}`);
    return { ok: false, errors: r.errors };
  }
  checkKeys(r, [], raw, TOP_KEYS, 'document');
  if (raw.schemaVersion === undefined) r.error([], "missing 'schemaVersion'; expected schemaVersion: 1.0");
  else if (!schemaVersionOk(raw.schemaVersion)) {
    r.error(['schemaVersion'], `unsupported schemaVersion ${describeType(raw.schemaVersion)}; expected 1.0`);
  }
  for (const key of ['name', 'description'] as const) {
    if (raw[key] !== undefined && raw[key] !== null && asText(raw[key]) === undefined)
      r.error([key], `'${key}' must be a string, found ${describeType(raw[key])}`);
  }
  const parameters = readParameters(r, raw.parameters);
  const constants = readConstants(r, raw.constants);
  checkUniqueVariables(r, parameters, constants);
  const phases = readPhases(r, raw.phases);
  const document: ComponentDocument = {
    name: asText(raw.name) ?? '',
    description: asText(raw.description) ?? '',
    schemaVersion: '1.0',
    parameters,
    constants,
    phases,
  };
  if (r.errors.length === 0) checkReferences(r, document);
  if (r.errors.length) return { ok: false, errors: sortErrors(r.errors) };
  return { ok: true, document };
}

const sortErrors = (errors: DocumentError[]): DocumentError[] =>
  [...errors].sort((a, b) => a.line - b.line || a.column - b.column);

/** `FILE:LINE:COL: PATH: MESSAGE`, the CLI's one line per error. */
export function formatDocumentError(fileName: string, e: DocumentError): string {
  return `${fileName}:${e.line}:${e.column}: ${e.path || '(document)'}: ${e.message}`;
}
