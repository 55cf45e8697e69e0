/** @module The validated, normalised shape of an AWSTOE component document (what the executor runs). */

/** Any value that YAML/JSON can hold (inputs are kept as written, then expanded at run time). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One problem found in a document: where (document path, 1-based line and column) and what was expected. */
export interface DocumentError {
  path: string;
  line: number;
  column: number;
  message: string;
}

export const PHASE_NAMES = ['build', 'validate', 'test', 'container-host-test'] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

export const ON_FAILURE_VALUES = ['Abort', 'Continue', 'Ignore'] as const;
export type OnFailure = (typeof ON_FAILURE_VALUES)[number];

export const PARAMETER_TYPES = ['string', 'integer', 'boolean', 'stringList'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface ParameterDefinition {
  name: string;
  type: ParameterType;
  /** Absent when the caller must supply a value. */
  default?: string | number | boolean | string[];
  description?: string;
  allowedValues?: string[];
}

export interface ConstantDefinition {
  name: string;
  type: 'string';
  value: string;
}

export type Loop =
  | { name?: string; kind: 'for'; start: number; end: number; updateBy: number }
  | { name?: string; kind: 'forEach'; items: string[] }
  | { name?: string; kind: 'forEachList'; list: string; delimiter: string };

export const COMPARISON_OPERATORS = [
  'stringIsEmpty',
  'stringIsWhitespace',
  'stringEquals',
  'stringLessThan',
  'stringLessThanEquals',
  'stringGreaterThan',
  'stringGreaterThanEquals',
  'patternMatches',
  'numberEquals',
  'numberLessThan',
  'numberLessThanEquals',
  'numberGreaterThan',
  'numberGreaterThanEquals',
  'binaryExists',
  'fileExists',
  'folderExists',
  'fileMD5Equals',
  'fileSHA1Equals',
  'fileSHA256Equals',
  'fileSHA512Equals',
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export interface Comparison {
  op: ComparisonOperator;
  operand: JsonValue;
  value?: JsonValue;
  path?: JsonValue;
}

export type Condition = { op: 'and' | 'or'; operands: Condition[] } | { op: 'not'; operand: Condition } | Comparison;

export const STEP_DECISIONS = ['Execute', 'Skip', 'Abort'] as const;
export type StepDecision = (typeof STEP_DECISIONS)[number];

export interface StepCondition {
  condition: Condition;
  then: StepDecision;
  else: StepDecision;
}

export interface Step {
  name: string;
  action: string;
  /** As written (after YAML/JSON decoding); expanded by the executor just before the step runs. */
  inputs: JsonValue;
  timeoutSeconds: number;
  onFailure: OnFailure;
  maxAttempts: number;
  if?: StepCondition;
  loop?: Loop;
}

export interface Phase {
  name: PhaseName;
  steps: Step[];
}

export interface ComponentDocument {
  name: string;
  description: string;
  schemaVersion: '1.0';
  parameters: ParameterDefinition[];
  constants: ConstantDefinition[];
  phases: Phase[];
}

export type ParseResult = { ok: true; document: ComponentDocument } | { ok: false; errors: DocumentError[] };

/**
 * A step's timeout when its document gives none: 30 minutes (AWSTOE's is 2 hours; a stuck step
 * should not hold a build slot that long). Set `timeoutSeconds` for longer steps.
 */
export const DEFAULT_TIMEOUT_SECONDS = 1800;
