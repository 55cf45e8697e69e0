/** @module Assert: fails the step unless its comparison (same operators as `if`) holds. */
import { readCondition } from '../../document/conditions.ts';
import type { JsonValue } from '../../document/types.ts';
import { describeCondition, evaluateCondition } from '../../executor/evaluate-condition.ts';
import { ActionFailure, defineAction } from '../define.ts';

export const assert = defineAction({
  name: 'Assert',
  platform: 'all',
  outputs: [],
  validateInputs(inputs, report) {
    readCondition(inputs, [], report);
  },
  async execute(inputs, ctx) {
    const condition = readCondition(inputs as JsonValue, [], (_path, message) => {
      throw new ActionFailure(`Assert: ${message}`);
    });
    if (!condition) throw new ActionFailure('Assert: no condition');
    if (!(await evaluateCondition(condition, ctx)))
      throw new ActionFailure(`Assert failed: ${describeCondition(condition)}`);
    ctx.log(`Assert: passed ${describeCondition(condition)}`);
    return { outputs: null };
  },
});
