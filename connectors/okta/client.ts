import { z } from 'zod';
import { ConnectorError } from '../../src/connector/errors.js';
import type { HttpClient, RequestOptions, UpstreamError } from '../shared/http-client.js';
import { nextLink } from './link-header.js';

const oktaErrorBody = z.object({ errorCode: z.string().optional(), errorSummary: z.string() }).passthrough();

/** Okta's error text: `errorSummary` (with its `errorCode`). */
export function describeOktaError(status: number, body: unknown): UpstreamError {
  const parsed = oktaErrorBody.safeParse(body);
  if (parsed.success) {
    const { errorCode, errorSummary } = parsed.data;
    return { message: (errorCode ? `${errorCode}: ${errorSummary}` : errorSummary).slice(0, 500) };
  }
  return { message: typeof body === 'string' && body.length < 200 ? body : `HTTP ${status}` };
}

export interface OktaPage {
  items: unknown[];
  /** The server's clock (`Date`), epoch ms. */
  date: number | undefined;
}

/** Okta reads: a JSON array per page, the next page in the `Link` header, never off the org's origin. */
export class OktaClient {
  readonly #http: HttpClient;
  readonly #base: string;
  readonly #origin: string;

  constructor(http: HttpClient, orgUrl: string) {
    this.#http = http;
    this.#base = orgUrl.replace(/\/+$/, '');
    this.#origin = new URL(orgUrl).origin;
  }

  async *pages(path: string, query: Record<string, string>, options: RequestOptions): AsyncGenerator<OktaPage> {
    let next: string | undefined = `${this.#base}${path}?${new URLSearchParams(query).toString()}`;
    while (next !== undefined) {
      if (new URL(next).origin !== this.#origin) {
        throw new ConnectorError('connector_upstream', `source "${this.#http.sourceId}": refusing an Okta link outside ${this.#origin}`, {
          sourceId: this.#http.sourceId,
        });
      }
      const { body, headers } = await this.#http.getJson(next, options);
      if (!Array.isArray(body)) {
        throw new ConnectorError('connector_upstream', `source "${this.#http.sourceId}": Okta answered ${path} with something other than a list`, {
          sourceId: this.#http.sourceId,
        });
      }
      const date = Date.parse(headers.get('date') ?? '');
      next = nextLink(headers.get('link'));
      yield { items: body as unknown[], date: Number.isNaN(date) ? undefined : date };
    }
  }
}
