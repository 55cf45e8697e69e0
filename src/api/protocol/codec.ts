/** @module The compiled rest-json codec of the model: routes, input parsers and output serialisers. */
import { OPERATIONS } from '../../model/generated/operations.ts';
import type { OperationName } from '../../model/generated/shapes.ts';
import type { OperationSpec, ServiceModel } from '../../model/types.ts';
import { loadServiceModel } from '../../model/service-model.ts';
import { compileInputParser, type InputParts } from './input-parser.ts';
import { OutputSerializers } from './output-serializer.ts';
import { RouteTable } from './route-table.ts';
import { ShapeChecks, validateShape } from './shape-checks.ts';
import { jsonResponse } from './wire-errors.ts';

export class RestJsonCodec {
  readonly model: ServiceModel;
  readonly routes: RouteTable;
  readonly #checks: ShapeChecks;
  readonly #serializers: OutputSerializers;
  readonly #parsers = new Map<OperationName, (parts: InputParts) => unknown>();

  /** Compiles every operation's route, input parser and output serialiser up front. */
  constructor(model: ServiceModel = loadServiceModel()) {
    this.model = model;
    const operations: Readonly<Record<OperationName, OperationSpec>> = OPERATIONS;
    this.routes = new RouteTable(operations);
    this.#checks = new ShapeChecks(model);
    this.#serializers = new OutputSerializers(model);
    for (const [name, spec] of Object.entries(operations) as [OperationName, OperationSpec][]) {
      this.#parsers.set(name, compileInputParser(model, spec, this.#checks));
      if (spec.output) this.#serializers.forShape(spec.output);
    }
  }

  /** The validated input of an operation (throws ValidationException / SerializationException). */
  parseInput(operation: OperationName, parts: InputParts): unknown {
    const parse = this.#parsers.get(operation);
    if (!parse) throw new Error(`no parser for ${operation}`);
    return parse(parts);
  }

  /** Throws a ValidationException if `output` does not conform to the operation's output shape. */
  validateOutput(operation: OperationName, output: unknown): void {
    const shape = OPERATIONS[operation].output;
    if (shape) validateShape(this.#checks, shape, output);
  }

  /** The 200 response: the output shape's members only, `requestId` filled in when the shape has it. */
  outputResponse(operation: OperationName, output: unknown, requestId: string): Response {
    const shapeName = OPERATIONS[operation].output;
    if (!shapeName) return jsonResponse(200, {}, requestId);
    const value = (typeof output === 'object' && output !== null ? output : {}) as Record<string, unknown>;
    const body = this.#serializers.forShape(shapeName)(value) as Record<string, unknown>;
    const shape = this.model.shapes[shapeName];
    if (shape?.type === 'structure' && 'requestId' in shape.members && body.requestId === undefined)
      body.requestId = requestId;
    return jsonResponse(200, body, requestId, this.#serializers.headersOf(shapeName, value));
  }
}
