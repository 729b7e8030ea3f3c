/**
 * What every SCIM answer must be, whatever was asked (RFC 7644): below 500; with a body, JSON
 * served as `application/scim+json`; an error is `{schemas: [Error], status: "<the HTTP status>",
 * scimType?, detail?}` with a `scimType` only where §3.12 defines one, and a detail that carries no
 * runtime error's text; a success carries `schemas`, a resource an `id` and `meta`.
 */
import type { RawResponse } from './raw-http.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** RFC 7644 §3.12, Table 9. */
const SCIM_TYPES = ['invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'invalidVers', 'sensitive'];

/**
 * Which statuses a `scimType` may come with: Table 9's types are 400 detail codes; §3.3 adds 409
 * `uniqueness`, §7.5.2 403 `sensitive`; in a Bulk response, a reference to an operation that failed
 * is a 409 `invalidValue` (RFC 7644 §3.7.3's example of an unresolvable bulkId).
 */
function scimTypeFits(status: number, scimType: string, inBulk: boolean): boolean {
  if (!SCIM_TYPES.includes(scimType)) return false;
  if (status === 400) return true;
  if (status === 409) return scimType === 'uniqueness' || (inBulk && scimType === 'invalidValue');
  if (status === 403) return scimType === 'sensitive';
  return false;
}

/** Text that only a runtime error, a stack or a driver would write. */
const LEAKS = [
  /\bat \S+ \(.*:\d+:\d+\)/,
  /\b(TypeError|ReferenceError|RangeError|SyntaxError|URIError|EvalError)\b/,
  /Cannot read propert/,
  /is not a function/,
  /is not iterable/,
  /Maximum call stack/,
  /Unexpected token.*JSON|Unexpected end of JSON|(in|after) JSON at position/,
  /node_modules|\/src\/|file:\/\//,
  /invalid input syntax for type/,
  /violates .* constraint/,
  /\bduplicate key\b/,
  /Failed to decode param/,
];

export function errorBodyProblems(body: unknown, status: number, where = 'body'): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [`${where} is not an object`];
  const problems: string[] = [];
  const error = body as Record<string, unknown>;
  const schemas = error['schemas'];
  if (!Array.isArray(schemas) || schemas.length !== 1 || schemas[0] !== ERROR) problems.push(`${where}.schemas is not ["${ERROR}"]`);
  if (error['status'] !== String(status)) problems.push(`${where}.status is ${JSON.stringify(error['status'])}, not "${status}"`);
  const scimType = error['scimType'];
  if (scimType !== undefined && (typeof scimType !== 'string' || !scimTypeFits(status, scimType, where !== 'body'))) problems.push(`${where}.scimType ${JSON.stringify(scimType)} is not defined for ${status}`);
  const detail = error['detail'];
  if (detail !== undefined) {
    if (typeof detail !== 'string') problems.push(`${where}.detail is not a string`);
    else for (const leak of LEAKS) if (leak.test(detail)) problems.push(`${where}.detail leaks internals (${leak}): ${detail.slice(0, 300)}`);
  }
  const extra = Object.keys(error).filter((k) => !['schemas', 'status', 'scimType', 'detail'].includes(k));
  if (extra.length > 0) problems.push(`${where} has unexpected members ${extra.join(', ')}`);
  return problems;
}

function resourceProblems(resource: unknown, where: string): string[] {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) return [`${where} is not an object`];
  const r = resource as Record<string, unknown>;
  const problems: string[] = [];
  if (!Array.isArray(r['schemas']) || r['schemas'].length === 0 || !r['schemas'].every((s) => typeof s === 'string')) problems.push(`${where}.schemas is not a list of URNs`);
  if (typeof r['id'] !== 'string' || r['id'] === '') problems.push(`${where}.id is not a string`);
  return problems;
}

/** Every way `response` falls short of RFC 7644; empty when it is a valid answer. */
export function scimAnswerProblems(response: RawResponse, method: string): string[] {
  const { status } = response;
  if (!Number.isInteger(status) || status < 100) return [`no valid status line (${status})`];
  if (status >= 500 && status !== 501) return [`server error ${status}: ${response.body.toString('utf8').slice(0, 300)}`];
  if (status === 204 || status === 304) return response.body.length === 0 ? [] : [`${status} with a body`];
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/scim\+json\b/i.test(type)) return [`${status} served as "${type}", not application/scim+json: ${response.body.toString('utf8').slice(0, 200)}`];
  // A HEAD answer is a GET's without its body (RFC 9110 §9.3.2).
  if (method === 'HEAD') return [];
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch {
    return [`${status} with a body that is not JSON: ${response.body.toString('utf8').slice(0, 200)}`];
  }
  if (status >= 400) return errorBodyProblems(body, status);
  if (status !== 200 && status !== 201) return [`unexpected success status ${status}`];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['the body is not an object'];
  const b = body as Record<string, unknown>;
  const schemas = b['schemas'];
  if (!Array.isArray(schemas) || schemas.length === 0) return ['a success without schemas'];
  if (schemas.includes(LIST)) {
    const problems: string[] = [];
    if (!Number.isInteger(b['totalResults'])) problems.push('ListResponse.totalResults is not an integer');
    if (!Number.isInteger(b['startIndex']) || (b['startIndex'] as number) < 1) problems.push('ListResponse.startIndex is not a positive integer');
    const resources = b['Resources'];
    if (!Array.isArray(resources)) problems.push('ListResponse.Resources is not a list');
    else resources.forEach((r, i) => problems.push(...resourceProblems(r, `Resources[${i}]`)));
    return problems;
  }
  if (schemas.includes(BULK_RESPONSE)) {
    const operations = b['Operations'];
    if (!Array.isArray(operations)) return ['BulkResponse.Operations is not a list'];
    const problems: string[] = [];
    operations.forEach((op: Record<string, unknown>, i) => {
      const opStatus = Number(op['status']);
      if (typeof op['status'] !== 'string' || !Number.isInteger(opStatus)) problems.push(`Operations[${i}].status is not a status code string`);
      else if (opStatus >= 500 && opStatus !== 501) problems.push(`Operations[${i}] failed with ${opStatus}`);
      else if (opStatus >= 400) problems.push(...errorBodyProblems(op['response'], opStatus, `Operations[${i}].response`));
    });
    return problems;
  }
  // Discovery documents have no id; resources do.
  if (schemas.some((s) => typeof s === 'string' && /:(User|Group)$/.test(s)) && !schemas.some((s) => typeof s === 'string' && /:(Schema|ResourceType)$/.test(s))) return resourceProblems(body, 'resource');
  return [];
}
