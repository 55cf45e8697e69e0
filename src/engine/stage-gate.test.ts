/** @module Tests of the stage gate between workflow steps and the engine's stages. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StageGate } from './stage-gate.ts';

/** A fake engine: enters and leaves stages in order, recording when each ran. */
async function engine(gate: StageGate, stages: string[], ran: string[]): Promise<void> {
  for (const s of stages) {
    await gate.enter(s);
    ran.push(s);
    await new Promise((r) => setTimeout(r, 5));
    gate.leave(s);
  }
}

test('the engine runs a stage only once a step lets it; a step waits for its stages to end', async () => {
  const gate = new StageGate();
  const ran: string[] = [];
  const done = engine(gate, ['parent', 'build', 'evidence', 'outputs', 'test'], ran).then(
    () => gate.finish(),
    (e: unknown) => gate.finish(e),
  );
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(ran, [], 'nothing runs before a step asks');
  await gate.run(['parent']);
  assert.deepEqual(ran, ['parent']);
  // validate is passed over by this engine: the step ends once the engine waits at a later stage.
  await gate.run(['build', 'validate']);
  assert.deepEqual(ran, ['parent', 'build', 'evidence'], 'ungated stages run at once');
  await gate.run(['outputs']);
  gate.release();
  await done;
  assert.deepEqual(ran, ['parent', 'build', 'evidence', 'outputs', 'test']);
});

test('an engine error reaches the waiting step; an abort stops the engine at its next gate', async () => {
  const gate = new StageGate();
  const failing = (async () => {
    await gate.enter('parent');
    throw new Error('parent image not found');
  })().catch((e: unknown) => gate.finish(e));
  await assert.rejects(gate.run(['parent']), /parent image not found/);
  await failing;

  const other = new StageGate();
  const ran: string[] = [];
  const stopped = engine(other, ['parent', 'build'], ran);
  await other.run(['parent']);
  other.abort(new Error('stopped by the workflow'));
  await assert.rejects(stopped, /stopped by the workflow/);
  assert.deepEqual(ran, ['parent']);
});
