/**
 * @module Ingot's managed workflows (owner Amazon): the plan every image build follows unless a
 * pipeline or CreateImage names its own — build-image / build-container, test-image /
 * test-container, distribute-image. ListWorkflows --owner Amazon shows them.
 */
import { readFileSync } from 'node:fs';
import type { WorkflowType } from './actions.ts';

export interface ManagedWorkflow {
  name: string;
  type: WorkflowType;
  semanticVersion: string;
  description: string;
  data: string;
}

function managed(name: string, type: WorkflowType): ManagedWorkflow {
  const data = readFileSync(new URL(`./managed/${name}.yml`, import.meta.url), 'utf8');
  const description = /^description: (.*)$/m.exec(data)?.[1] ?? name;
  return { name, type, semanticVersion: '1.0.0', description, data };
}

export const MANAGED_WORKFLOWS: readonly ManagedWorkflow[] = [
  managed('build-image', 'BUILD'),
  managed('build-container', 'BUILD'),
  managed('test-image', 'TEST'),
  managed('test-container', 'TEST'),
  managed('distribute-image', 'DISTRIBUTION'),
];
