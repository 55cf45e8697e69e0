/** @module Test helpers for the security tests: tool checks and JSON-schema validators. */
import { execFileSync } from 'node:child_process';
import { bootstrapUnavailable } from '../helpers/test-base.ts';

/** Why the shared debian-12 base cannot be had here, or undefined. */
export function baseUnavailable(): string | undefined {
  return bootstrapUnavailable();
}

/** Why a command is missing, or undefined. */
export function toolMissing(tool: string, hint: string): string | undefined {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${tool} is not installed (${hint})`;
  }
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type SchemaCheck = (doc: unknown) => string[];

/** A validator for one of the vendored schemas (draft-07, formats checked); returns error lines. */
export function schemaValidator(main: string, extra: string[] = []): SchemaCheck {
  const require = createRequire(import.meta.url);
  const Ajv = require('ajv') as new (
    o: object,
  ) => {
    addSchema(s: object, key?: string): void;
    addFormat(name: string, f: RegExp): void;
    compile(
      s: object,
    ): ((d: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };
  };
  const addFormats = require('ajv-formats') as (a: object) => void;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  // Formats of JSON Schema 2019+ that ajv-formats leaves out: IRIs may hold any non-space character.
  ajv.addFormat('iri-reference', /^\S*$/u);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
  const load = (f: string) =>
    JSON.parse(readFileSync(new URL(`../fixtures/schemas/${f}`, import.meta.url), 'utf8')) as { $id?: string };
  // CycloneDX refers to its sibling schemas by their file names (`spdx.SNAPSHOT.schema.json`), relative to its $id.
  const base = (load(main).$id ?? '').replace(/[^/]*$/, '');
  for (const f of extra) ajv.addSchema(load(f), base ? base + f : f);
  const validate = ajv.compile(load(main));
  return (doc) =>
    validate(doc) ? [] : (validate.errors ?? []).slice(0, 20).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
