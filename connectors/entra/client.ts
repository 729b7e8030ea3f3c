import { z } from 'zod';
import { ConnectorError } from '../../src/connector/errors.js';
import type { HttpClient, RequestOptions, UpstreamError } from '../shared/http-client.js';

const graphPage = z
  .object({
    value: z.array(z.unknown()),
    '@odata.nextLink': z.string().optional(),
    '@odata.deltaLink': z.string().optional(),
  })
  .passthrough();

export interface GraphPage {
  value: unknown[];
  /** Set on the last page of a delta round. */
  deltaLink?: string | undefined;
}

const graphErrorBody = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }).passthrough() }).passthrough();

/** Graph's error text: `error.message` (with its `error.code`). */
export function describeGraphError(status: number, body: unknown): UpstreamError {
  const parsed = graphErrorBody.safeParse(body);
  if (parsed.success) {
    const { code, message } = parsed.data.error;
    // Graph answers 410 syncStateNotFound (or resyncRequired) when a delta token has expired.
    const cursorExpired = status === 410 || code === 'syncStateNotFound' || code === 'resyncRequired';
    return { message: [code, message].filter((s) => s !== undefined && s !== '').join(': ').slice(0, 500), cursorExpired };
  }
  return { message: typeof body === 'string' && body.length < 200 ? body : `HTTP ${status}`, cursorExpired: status === 410 };
}

/**
 * Microsoft Graph reads: follows `@odata.nextLink` page by page. Links must stay on the
 * configured Graph origin — a cursor or a page naming another host would receive our token.
 */
export class GraphClient {
  readonly #http: HttpClient;
  readonly #origin: string;
  readonly #base: string;

  constructor(http: HttpClient, graphUrl: string) {
    this.#http = http;
    this.#base = graphUrl.replace(/\/+$/, '');
    this.#origin = new URL(graphUrl).origin;
  }

  /** `path` relative to graphUrl (`/users/delta?…`) or an absolute link Graph handed out. */
  url(pathOrLink: string): string {
    return /^https?:\/\//.test(pathOrLink) ? pathOrLink : `${this.#base}${pathOrLink}`;
  }

  /** Is this link on our Graph origin? */
  owns(link: string): boolean {
    try {
      return new URL(link).origin === this.#origin;
    } catch {
      return false;
    }
  }

  async *pages(pathOrLink: string, options: RequestOptions & { pageSize?: number | undefined }): AsyncGenerator<GraphPage> {
    let next: string | undefined = this.url(pathOrLink);
    const headers = options.pageSize === undefined ? undefined : { prefer: `odata.maxpagesize=${options.pageSize}` };
    while (next !== undefined) {
      this.#check(next);
      const { body } = await this.#http.getJson(next, { ...options, headers });
      const page = graphPage.safeParse(body);
      if (!page.success) {
        throw new ConnectorError('connector_upstream', `source "${this.#http.sourceId}": Microsoft Graph answered a page without a "value" array`, {
          sourceId: this.#http.sourceId,
          cause: page.error,
        });
      }
      next = page.data['@odata.nextLink'];
      yield { value: page.data.value, deltaLink: next === undefined ? page.data['@odata.deltaLink'] : undefined };
    }
  }

  async get(path: string, options: RequestOptions): Promise<unknown> {
    return (await this.#http.getJson(this.url(path), options)).body;
  }

  #check(link: string): void {
    if (!this.owns(link)) {
      throw new ConnectorError('connector_upstream', `source "${this.#http.sourceId}": refusing a Graph link outside ${this.#origin}`, {
        sourceId: this.#http.sourceId,
      });
    }
  }
}
