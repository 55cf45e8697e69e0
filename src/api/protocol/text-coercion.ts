/** @module Converts URI, query and header text to the member's type (integers, booleans, lists...). */
import type { ServiceModel } from '../../model/types.ts';
import type { ValidationIssues } from './issues.ts';

/**
 * The typed value for the text(s) sent for a member, or the text itself when it cannot be
 * converted (after recording why): the shape checks then report nothing more for it.
 */
export function coerceText(
  model: ServiceModel,
  shapeName: string,
  values: string[],
  path: string,
  issues: ValidationIssues,
): unknown {
  const shape = model.shapes[shapeName];
  if (shape?.type === 'list') {
    return values
      .map((v, i) => coerceOne(model, shape.member.shape, v, `${path}.${i + 1}.member`, issues))
      .filter((v) => v !== undefined);
  }
  if (values.length > 1) {
    issues.add(path, values.join(','), 'Member must not be repeated');
  }
  return coerceOne(model, shapeName, values[0] ?? '', path, issues);
}

function coerceOne(
  model: ServiceModel,
  shapeName: string,
  text: string,
  path: string,
  issues: ValidationIssues,
): unknown {
  const shape = model.shapes[shapeName];
  switch (shape?.type) {
    case 'integer':
    case 'long':
      if (/^-?\d{1,16}$/.test(text)) return Number(text);
      issues.add(path, text, `Member must be of type ${shape.type}`);
      return undefined;
    case 'double':
    case 'float': {
      const n = text.trim() === '' ? Number.NaN : Number(text);
      if (Number.isFinite(n)) return n;
      issues.add(path, text, 'Member must be a finite number');
      return undefined;
    }
    case 'boolean':
      if (text === 'true' || text === 'false') return text === 'true';
      issues.add(path, text, 'Member must be of type boolean (true or false)');
      return undefined;
    case 'timestamp':
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    default:
      return text;
  }
}
