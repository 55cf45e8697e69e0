/** @module Validates the `parameters` and `constants` sections (`- Name: { type, default | value }`). */
import { asText, checkKeys, describeType, isRecord } from './reporter.ts';
import type { Reporter } from './reporter.ts';
import { PARAMETER_TYPES } from './types.ts';
import type { ConstantDefinition, ParameterDefinition, ParameterType } from './types.ts';

const NAME_RULE = /^[A-Za-z0-9_-]{3,128}$/;

/** Each entry is a one-key mapping: the variable name, then its definition. */
function entries(
  r: Reporter,
  raw: unknown,
  section: string,
): Array<{ name: string; def: Record<string, unknown>; index: number }> {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    r.error([section], `'${section}' must be a list of '- Name: { type: ... }' entries, found ${describeType(raw)}`);
    return [];
  }
  const out: Array<{ name: string; def: Record<string, unknown>; index: number }> = [];
  raw.forEach((entry, index) => {
    const keys = isRecord(entry) ? Object.keys(entry) : [];
    const name = keys[0];
    if (keys.length !== 1 || name === undefined || !isRecord(entry) || !isRecord(entry[name])) {
      r.error(
        [section, index],
        `each ${section} entry must be a one-key mapping '- Name: { type: ..., ... }'` +
          (isRecord(entry) && 'name' in entry
            ? ` (found a 'name:' field: write '- ${String(entry.name)}:' instead)`
            : ''),
      );
      return;
    }
    if (!NAME_RULE.test(name)) {
      r.error([section, index, name], `name '${name}' must be 3-128 characters of letters, digits, '-' or '_'`, 'key');
    }
    out.push({ name, def: entry[name] as Record<string, unknown>, index });
  });
  return out;
}

function defaultMatches(type: ParameterType, v: unknown): boolean {
  switch (type) {
    case 'string':
      return asText(v) !== undefined;
    case 'integer':
      return Number.isInteger(v) || (typeof v === 'string' && /^-?\d+$/.test(v));
    case 'boolean':
      return typeof v === 'boolean' || v === 'true' || v === 'false';
    case 'stringList':
      return Array.isArray(v) && v.every((x) => asText(x) !== undefined);
  }
}

export function readParameters(r: Reporter, raw: unknown): ParameterDefinition[] {
  return entries(r, raw, 'parameters').flatMap(({ name, def, index }) => {
    const at = ['parameters', index, name];
    checkKeys(r, at, def, ['type', 'default', 'description', 'allowedValues'], 'parameter');
    const type = def.type as ParameterType;
    if (!PARAMETER_TYPES.includes(type)) {
      r.error(
        [...at, 'type'],
        `parameter type must be one of ${PARAMETER_TYPES.join(', ')}, found ${describeType(def.type)}`,
      );
      return [];
    }
    const param: ParameterDefinition = { name, type };
    if (def.description !== undefined) param.description = asText(def.description) ?? '';
    if (def.allowedValues !== undefined) {
      if (!Array.isArray(def.allowedValues) || def.allowedValues.some((v) => asText(v) === undefined)) {
        r.error([...at, 'allowedValues'], 'allowedValues must be a list of strings');
      } else param.allowedValues = def.allowedValues.map((v) => asText(v)!);
    }
    if (def.default !== undefined && def.default !== null) {
      if (!defaultMatches(type, def.default)) {
        r.error([...at, 'default'], `default must be a ${type}, found ${describeType(def.default)}`);
      } else {
        param.default = Array.isArray(def.default)
          ? def.default.map((v) => asText(v)!)
          : (def.default as string | number | boolean);
        const text = asText(param.default);
        if (param.allowedValues && text !== undefined && !param.allowedValues.includes(text)) {
          r.error(
            [...at, 'default'],
            `default '${text}' is not one of allowedValues: ${param.allowedValues.join(', ')}`,
          );
        }
      }
    }
    return [param];
  });
}

export function readConstants(r: Reporter, raw: unknown): ConstantDefinition[] {
  return entries(r, raw, 'constants').flatMap(({ name, def, index }) => {
    const at = ['constants', index, name];
    checkKeys(r, at, def, ['type', 'value', 'description'], 'constant');
    if (def.type !== 'string')
      r.error([...at, 'type'], `constant type must be 'string', found ${describeType(def.type)}`);
    const value = asText(def.value);
    if (value === undefined) {
      r.error([...at, 'value'], `constant needs a string 'value', found ${describeType(def.value)}`);
      return [];
    }
    return [{ name, type: 'string' as const, value }];
  });
}

/** Parameter and constant names must not collide. */
export function checkUniqueVariables(r: Reporter, params: ParameterDefinition[], consts: ConstantDefinition[]): void {
  const seen = new Set<string>();
  params.forEach((p, i) => {
    if (seen.has(p.name)) r.error(['parameters', i], `parameter '${p.name}' is defined more than once`);
    seen.add(p.name);
  });
  consts.forEach((c, i) => {
    if (seen.has(c.name))
      r.error(['constants', i], `constant '${c.name}' has the same name as another parameter or constant`);
    seen.add(c.name);
  });
}
