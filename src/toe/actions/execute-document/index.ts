/** @module ExecuteDocument: runs another component document (nested at most 3 levels, no cycles) and reports its summary. */
import { ActionFailure, defineAction } from '../define.ts';
import { asObject, checkObject, str } from '../schema.ts';

export const executeDocument = defineAction({
  name: 'ExecuteDocument',
  platform: 'all',
  outputs: [
    'executedStepCount',
    'executionId',
    'failedStepCount',
    'failureMessage',
    'ignoredFailedStepCount',
    'logUrl',
    'status',
  ],
  fixedTimeoutSeconds: -1,
  validateInputs(inputs, report) {
    checkObject(
      inputs,
      {
        document: { kind: 'string', required: true },
        'document-s3-bucket-owner': { kind: 'string' },
        phases: { kind: 'string' },
        parameters: { kind: 'any' },
      },
      [],
      report,
    );
    const params = inputs && typeof inputs === 'object' && !Array.isArray(inputs) ? inputs.parameters : undefined;
    if (params === undefined) return;
    if (!Array.isArray(params)) report(['parameters'], 'parameters must be a list of { name, value }');
    else
      params.forEach((p, i) =>
        checkObject(
          p,
          { name: { kind: 'string', required: true }, value: { kind: 'string', required: true } },
          ['parameters', i],
          report,
        ),
      );
  },
  async execute(inputs, ctx) {
    if (!ctx.runNested) throw new ActionFailure('ExecuteDocument: nested documents are not available here');
    const o = asObject(inputs);
    const parameters: Record<string, string> = {};
    const list = Array.isArray(o.parameters) ? o.parameters : [];
    for (const p of list)
      if (p && typeof p === 'object' && !Array.isArray(p)) parameters[String(p.name)] = String(p.value);
    const phases = str(o, 'phases')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const result = await ctx.runNested({
      document: str(o, 'document') ?? '',
      parameters,
      ...(phases?.length ? { phases } : {}),
    });
    if (result.status !== 'success') {
      throw new ActionFailure(
        `ExecuteDocument: nested document failed: ${String(result.summary.failureMessage ?? '')}`,
      );
    }
    return { outputs: result.summary, detailedOutput: [result.detail] };
  },
});
