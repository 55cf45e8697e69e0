/** @module valibot parsers of the settings table: numbers from env strings or JSON numbers, paths, enums. */
import * as v from 'valibot';

export const DEFAULT_ACCOUNT_ID = '123456789012';

export type Parser<T> = v.GenericSchema<unknown, T>;

/** A non-empty string. */
export const text: Parser<string> = v.pipe(v.string(), v.nonEmpty('must not be empty'));

/** A string, or undefined when empty. */
export const optionalPath: Parser<string | undefined> = v.pipe(
  v.string(),
  v.transform((s) => s || undefined),
);

/** A PostgreSQL connection URL, or undefined when empty. */
export const databaseUrl: Parser<string | undefined> = v.pipe(
  v.string(),
  v.check((s) => s === '' || /^postgres(ql)?:\/\/./.test(s), 'must be a postgres:// (or postgresql://) URL'),
  v.transform((s) => s || undefined),
);

/** A number written as a string (environment) or a JSON number (config file). */
export function num(rule: { min: number; exclusive?: boolean; integer?: boolean }): Parser<number> {
  const what = `must be a ${rule.integer ? 'whole number' : 'number'} ${rule.exclusive ? '>' : '>='} ${rule.min}`;
  return v.pipe(
    v.union([v.string(), v.number()]),
    v.transform((x) => (typeof x === 'string' ? Number(x.trim()) : x)),
    v.number(what),
    v.check((n) => Number.isFinite(n) && (rule.exclusive ? n > rule.min : n >= rule.min), what),
    v.check((n) => !rule.integer || Number.isInteger(n), what),
  );
}

/** One of a few words. */
export function oneOf<const T extends readonly string[]>(words: T) {
  return v.picklist(words, `must be one of ${words.join(', ')}`);
}

/** `s3://BUCKET[/PREFIX]` as bucket and prefix (no leading or trailing slash; '' for none); '' is unset. */
export const s3Location: Parser<{ bucket: string; prefix: string } | undefined> = v.pipe(
  v.string(),
  v.check(
    (s) => s === '' || /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(s),
    'must be s3://BUCKET or s3://BUCKET/PREFIX',
  ),
  v.transform((s) => {
    if (!s) return undefined;
    const [bucket = '', ...rest] = s.slice('s3://'.length).split('/');
    return { bucket, prefix: rest.filter(Boolean).join('/') };
  }),
);
