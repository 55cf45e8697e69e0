/** @module Test support: values that break a shape of the model in one known way (for fuzzing). */
import type { ServiceModel, Shape, StringShape } from '../../src/model/types.ts';
import { compileJavaRegex } from '../../src/api/protocol/java-regex.ts';

export interface BadValue {
  why: string;
  value: unknown;
}

const PATTERN_CANDIDATES = [
  '',
  ' ',
  '\u0000',
  '!!',
  'aws:x',
  'x',
  '9'.repeat(40),
  'arn:aws:iam::123456789012:role/x',
  '/',
];

/** A string of acceptable length that the shape's pattern rejects, if one of the candidates is. */
function patternViolation(shape: StringShape): string | undefined {
  if (shape.pattern === undefined) return undefined;
  const re = compileJavaRegex(shape.pattern);
  return PATTERN_CANDIDATES.find(
    (c) => !re.test(c) && c.length >= (shape.min ?? 0) && c.length <= (shape.max ?? Infinity),
  );
}

function stringBadValues(shape: StringShape): BadValue[] {
  const out: BadValue[] = [
    { why: 'number for string', value: 12345 },
    { why: 'object for string', value: { a: 1 } },
  ];
  if ((shape.min ?? 0) > 0) out.push({ why: 'too short', value: '' });
  if (shape.max !== undefined) out.push({ why: 'too long', value: 'a'.repeat(shape.max + 1) });
  if (shape.enum) out.push({ why: 'not in enum', value: 'NOT_AN_ENUM_VALUE' });
  const violation = patternViolation(shape);
  if (violation !== undefined) out.push({ why: 'pattern violation', value: violation });
  return out;
}

function numberBadValues(shape: Shape): BadValue[] {
  const out: BadValue[] = [
    { why: 'string for number', value: 'abc' },
    { why: 'boolean for number', value: true },
  ];
  if (shape.type === 'integer' || shape.type === 'long') out.push({ why: 'fraction for integer', value: 1.5 });
  if (shape.min !== undefined) out.push({ why: 'below min', value: shape.min - 1 });
  if (shape.max !== undefined) out.push({ why: 'above max', value: shape.max + 1 });
  return out;
}

/** Bad values for a shape; structures also get one level of bad nested members. */
export function badValues(model: ServiceModel, shapeName: string, depth = 0): BadValue[] {
  const shape = model.shapes[shapeName];
  if (!shape) return [];
  switch (shape.type) {
    case 'string':
      return stringBadValues(shape);
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return numberBadValues(shape);
    case 'boolean':
      return [
        { why: 'string for boolean', value: 'true' },
        { why: 'number for boolean', value: 1 },
      ];
    case 'timestamp':
      return [
        { why: 'bad timestamp', value: 'not-a-date' },
        { why: 'boolean for timestamp', value: true },
      ];
    case 'blob':
      return [{ why: 'number for blob', value: 7 }];
    case 'list': {
      const out: BadValue[] = [
        { why: 'string for list', value: 'not-a-list' },
        { why: 'null element', value: [null] },
      ];
      if ((shape.min ?? 0) > 0) out.push({ why: 'list too short', value: [] });
      if (shape.max !== undefined)
        out.push({ why: 'list too long', value: new Array<string>(shape.max + 1).fill('x') });
      for (const bad of badValues(model, shape.member.shape, depth + 1).slice(0, 2))
        out.push({ why: `element: ${bad.why}`, value: [bad.value] });
      return out;
    }
    case 'map': {
      const out: BadValue[] = [
        { why: 'list for map', value: ['x'] },
        { why: 'number value', value: { k: 5 } },
      ];
      if ((shape.min ?? 0) > 0) out.push({ why: 'map too small', value: {} });
      if (shape.max !== undefined) {
        out.push({
          why: 'map too big',
          value: Object.fromEntries(Array.from({ length: shape.max + 1 }, (_, i) => [`k${i}`, 'v'])),
        });
      }
      out.push({ why: 'bad key', value: { [`aws:${'k'.repeat(200)}`]: 'v' } });
      return out;
    }
    case 'structure': {
      const out: BadValue[] = [
        { why: 'string for structure', value: 'not-a-structure' },
        { why: 'list for structure', value: [] },
        { why: 'unknown nested member', value: { __bogusMember__: 1 } },
      ];
      if (depth < 2) {
        for (const [member, ref] of Object.entries(shape.members)) {
          for (const bad of badValues(model, ref.shape, depth + 1).slice(0, 3)) {
            out.push({ why: `${member}: ${bad.why}`, value: { [member]: bad.value } });
          }
        }
      }
      return out;
    }
  }
}

/** The bad values that can be written as query/URI text (strings only, each invalid as text). */
export function badTexts(model: ServiceModel, shapeName: string): BadValue[] {
  const shape = model.shapes[shapeName];
  if (shape?.type === 'list') return badTexts(model, shape.member.shape);
  if (shape?.type === 'boolean') return [{ why: 'not a boolean', value: 'maybe' }];
  const texts = badValues(model, shapeName).filter((b) => typeof b.value === 'string');
  if (shape?.type === 'integer' || shape?.type === 'long') texts.push({ why: 'fraction for integer', value: '1.5' });
  return texts;
}
