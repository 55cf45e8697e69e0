/**
 * @module The `filters` of List* operations: each operation accepts a fixed set of filter names,
 * each mapped to a field of the stored document. An unknown name is an InvalidParameterValueException.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type { Filter } from '../../model/generated/shapes.ts';

/** Filter name → document path, per list operation. */
export type FilterSpec = Readonly<Record<string, string>>;

export function toWhere(
  operation: string,
  spec: FilterSpec,
  filters: readonly Filter[] | undefined,
): { path: string; values: string[] }[] {
  return (filters ?? []).map((f) => {
    const path = f.name === undefined ? undefined : spec[f.name];
    if (path === undefined) {
      throw new IngotError(
        'InvalidParameterValueException',
        `The filter name '${f.name ?? ''}' is not valid for ${operation}. Valid filter names: ${Object.keys(spec).join(', ')}.`,
      );
    }
    if (!f.values?.length)
      throw new IngotError('InvalidParameterValueException', `The filter '${f.name}' needs at least one value.`);
    return { path, values: [...f.values] };
  });
}
