/**
 * Runs Microsoft's SCIM reference Postman collection (../shared/conformance, MIT) with newman
 * against a running SCIM server and returns every assertion's outcome. The bearer token is passed
 * as a collection variable (`token`); the server offers no token endpoint.
 */
import { readFile } from 'node:fs/promises';
import newman from 'newman';

export const COLLECTION_PATH = process.env['SCIM_CONFORMANCE_COLLECTION'] ?? new URL('../../../shared/conformance/microsoft-scim-reference.postman_collection.json', import.meta.url).pathname;

export interface AssertionOutcome {
  request: string;
  method: string;
  url: string;
  status: number | undefined;
  assertion: string;
  passed: boolean;
  error?: string;
}

/**
 * The collection's first folder ("Get Token") calls the reference implementation's `/Token` and
 * stores `jsonData.token` in the *environment*, which outranks the collection variable: against a
 * server without that endpoint it sets `token` to undefined and every later request would go out
 * unauthenticated. So the collection runs as two newman runs against the same server, each with a
 * fresh environment: that folder alone, then the rest, unchanged and in order.
 */
export async function runConformance(options: { scimUrl: string; token: string; collectionPath?: string }): Promise<AssertionOutcome[]> {
  const collection = JSON.parse(await readFile(options.collectionPath ?? COLLECTION_PATH, 'utf8')) as Record<string, unknown>;
  const url = new URL(options.scimUrl);
  collection['variable'] = [
    { key: 'Protocol', value: url.protocol.replace(/:$/, '') },
    { key: 'Server', value: url.hostname },
    { key: 'Port', value: url.port ? `:${url.port}` : '' },
    { key: 'Api', value: url.pathname.replace(/^\/|\/$/g, '') },
    { key: 'token', value: options.token },
  ];
  const items = collection['item'] as Array<{ name?: string }>;
  const isTokenFolder = (item: { name?: string }) => item.name === 'Get Token';
  return [
    ...(await runItems({ ...collection, item: items.filter(isTokenFolder) })),
    ...(await runItems({ ...collection, item: items.filter((i) => !isTokenFolder(i)) })),
  ];
}

async function runItems(collection: Record<string, unknown>): Promise<AssertionOutcome[]> {
  const summary = await new Promise<Parameters<Parameters<typeof newman.run>[1]>[1]>((resolve, reject) => {
    newman.run({ collection, environment: { values: [] }, reporters: [], timeoutRequest: 30_000 }, (error, result) => (error ? reject(error) : resolve(result)));
  });
  const outcomes: AssertionOutcome[] = [];
  for (const execution of summary.run.executions) {
    const base = {
      request: execution.item.name,
      method: execution.request?.method ?? '',
      url: execution.request?.url.toString() ?? '',
      status: execution.response?.code,
    };
    for (const a of execution.assertions ?? []) {
      const outcome: AssertionOutcome = { ...base, assertion: a.assertion, passed: !a.error && !a.skipped };
      if (a.error) outcome.error = a.error.message;
      outcomes.push(outcome);
    }
    if (execution.requestError) outcomes.push({ ...base, assertion: '(request)', passed: false, error: execution.requestError.message });
  }
  return outcomes;
}
