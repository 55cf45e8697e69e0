/** @module Test support: signed-but-invalid requests for an operation, derived from its input shape. */
import type { OperationSpec, ServiceModel } from '../../src/model/types.ts';
import { badTexts, badValues } from './bad-values.ts';
import type { RawCall } from './signed-fetch.ts';

export interface FuzzCase {
  description: string;
  call: RawCall;
}

const SAMPLE_LABEL = encodeURIComponent('arn:aws:imagebuilder:us-east-1:123456789012:component/c/1.0.0/1');

interface Parts {
  labels?: Record<string, string>;
  query?: string[];
  body?: Record<string, unknown> | string | Uint8Array<ArrayBuffer>;
}

function buildCall(spec: OperationSpec, parts: Parts): RawCall {
  const path =
    spec.requestUri
      .split('?')[0]
      ?.replace(/\{([^}+]+)\+?\}/g, (_, label: string) => parts.labels?.[label] ?? SAMPLE_LABEL) ?? '/';
  const body =
    parts.body === undefined
      ? spec.method === 'GET'
        ? undefined
        : '{}'
      : typeof parts.body === 'string' || parts.body instanceof Uint8Array
        ? parts.body
        : JSON.stringify(parts.body);
  return {
    method: spec.method,
    path,
    rawQuery: (parts.query ?? []).join('&'),
    ...(body === undefined ? {} : { body }),
  };
}

/** Deterministic printable junk that is legal in a request target (no space, #, ? or %). */
function randomText(length: number): string {
  const alphabet = "abcXYZ019-._~!$&'()*+,;=:@/[]{}|^`";
  return Array.from({ length }, (_, i) => alphabet[(i * 7 + length * 13) % alphabet.length]).join('');
}

function hasBody(spec: OperationSpec): boolean {
  return spec.method !== 'GET';
}

/** Bad values for every input member, each placed where the model binds that member. */
function memberCases(model: ServiceModel, spec: OperationSpec): FuzzCase[] {
  const input = spec.input ? model.shapes[spec.input] : undefined;
  if (input?.type !== 'structure') return [];
  const cases: FuzzCase[] = [];
  for (const [member, ref] of Object.entries(input.members)) {
    const binding = spec.inputMembers[member];
    if (!binding) continue;
    const name = binding.locationName;
    if (binding.location === 'body') {
      for (const bad of badValues(model, ref.shape)) {
        cases.push({ description: `${member}: ${bad.why}`, call: buildCall(spec, { body: { [name]: bad.value } }) });
      }
    } else {
      for (const bad of badTexts(model, ref.shape)) {
        const text = encodeURIComponent(String(bad.value));
        const parts: Parts =
          binding.location === 'uri'
            ? { labels: { [name]: text } }
            : { query: [`${encodeURIComponent(name)}=${text}`] };
        cases.push({ description: `${member} (${binding.location}): ${bad.why}`, call: buildCall(spec, parts) });
      }
    }
  }
  return cases;
}

/** Malformed requests that are wrong for any operation. */
function envelopeCases(spec: OperationSpec): FuzzCase[] {
  const cases: FuzzCase[] = [
    { description: 'unknown query parameter', call: buildCall(spec, { query: ['bogusParameter=1'] }) },
    { description: 'bad percent-encoding in the query', call: buildCall(spec, { query: ['a=%E0%A4%A'] }) },
    {
      description: 'bad percent-encoding in the path',
      call: { ...buildCall(spec, {}), path: `${buildCall(spec, {}).path}%ZZ` },
    },
    { description: 'OPTIONS on the path', call: { ...buildCall(spec, {}), method: 'OPTIONS', body: '' } },
    { description: 'random path', call: { ...buildCall(spec, {}), path: `/${randomText(spec.name.length * 3)}` } },
  ];
  if (spec.requestUri.includes('{')) {
    cases.push({
      description: 'bad percent-encoding in a label',
      call: buildCall(spec, { labels: { resourceArn: '%E0%A4%A' } }),
    });
    cases.push({
      description: 'invalid UTF-8 in a label',
      call: buildCall(spec, { labels: { resourceArn: '%FF%FE' } }),
    });
  }
  if (!hasBody(spec)) return cases;
  const randomBytes = new Uint8Array(512).map((_, i) => (i * 7919 + 13) % 256);
  const deep = `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
  cases.push(
    { description: 'unknown body member', call: buildCall(spec, { body: { bogusMember: 1 } }) },
    { description: '__proto__ member', call: buildCall(spec, { body: '{"__proto__":{"polluted":1}}' }) },
    { description: 'malformed JSON', call: buildCall(spec, { body: '{"a":' }) },
    { description: 'JSON array body', call: buildCall(spec, { body: '[]' }) },
    { description: 'JSON null body', call: buildCall(spec, { body: 'null' }) },
    { description: 'random bytes body', call: buildCall(spec, { body: randomBytes }) },
    {
      description: 'invalid UTF-8 body',
      call: buildCall(spec, { body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]) }),
    },
    { description: 'deeply nested JSON', call: buildCall(spec, { body: deep }) },
    { description: 'huge body', call: buildCall(spec, { body: `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}` }) },
  );
  return cases;
}

/** Every bad request for an operation; each is invalid in at least one way the model defines. */
export function badRequests(model: ServiceModel, spec: OperationSpec): FuzzCase[] {
  const cases = [...envelopeCases(spec), ...memberCases(model, spec)];
  const input = spec.input ? model.shapes[spec.input] : undefined;
  if (input?.type === 'structure' && (input.required ?? []).some((m) => spec.inputMembers[m]?.location !== 'uri')) {
    cases.push({ description: 'required members missing', call: buildCall(spec, {}) });
  }
  return cases;
}
