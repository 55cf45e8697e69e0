/** @module Types of a botocore service-2.json model and of the operation table generated from it. */

export interface ShapeRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  locationName?: string;
  documentation?: string;
  idempotencyToken?: boolean;
  box?: boolean;
  timestampFormat?: string;
}

interface ShapeBase {
  documentation?: string;
  min?: number;
  max?: number;
}

export interface StructureShape extends ShapeBase {
  type: 'structure';
  members: Record<string, ShapeRef>;
  required?: string[];
  exception?: boolean;
  error?: { httpStatusCode?: number; code?: string; senderFault?: boolean };
  payload?: string;
}
export interface ListShape extends ShapeBase {
  type: 'list';
  member: ShapeRef;
}
export interface MapShape extends ShapeBase {
  type: 'map';
  key: ShapeRef;
  value: ShapeRef;
}
export interface StringShape extends ShapeBase {
  type: 'string';
  pattern?: string;
  enum?: string[];
}
export interface NumberShape extends ShapeBase {
  type: 'integer' | 'long' | 'double' | 'float';
}
export interface ScalarShape extends ShapeBase {
  type: 'boolean' | 'timestamp' | 'blob';
  timestampFormat?: string;
}

export type Shape = StructureShape | ListShape | MapShape | StringShape | NumberShape | ScalarShape;

export interface OperationDef {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
  documentation?: string;
}

export interface ServiceModel {
  version?: string;
  metadata: Record<string, unknown> & { apiVersion: string; protocol: string; signingName?: string };
  operations: Record<string, OperationDef>;
  shapes: Record<string, Shape>;
}

/** Where an input member travels in the HTTP request. */
export type MemberLocation = 'uri' | 'querystring' | 'header' | 'body';

export interface InputMemberBinding {
  location: MemberLocation;
  /** The URI label, query key, header name or JSON key. */
  locationName: string;
}

/** One row of the generated operation table. */
export interface OperationSpec {
  name: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH' | 'HEAD';
  requestUri: string;
  input: string | null;
  output: string | null;
  errors: readonly string[];
  inputMembers: Readonly<Record<string, InputMemberBinding>>;
}
