import type { ThrottleEvent } from '../../src/connector/connector.js';
import { ConnectorError, RetryableConnectorError } from '../../src/connector/errors.js';
import { backoffDelay } from './backoff.js';
import type { RateLimiter } from './rate-limiter.js';
import { parseRateLimitReset, parseRetryAfter } from './retry-after.js';
import type { RetryOptions } from './retry-options.js';
import { abortReason, sleep } from './sleep.js';
import { withoutSecrets } from './without-secrets.js';

/** Supplies the `Authorization` header; throws a `ConnectorError` (`connector_auth` when refused). */
export interface TokenProvider {
  /** `forceRefresh` is set once, after the API answered 401 to a cached token. */
  authorization(options: { forceRefresh: boolean; signal?: AbortSignal | undefined }): Promise<string>;
}

/** What an API's error body says, read by the adapter that knows its shape. */
export interface UpstreamError {
  /** The API's own error text (Graph `error.message`, Okta `errorSummary`, Google `error.message`). */
  message: string;
  /** A throttle signalled outside 429 (Google's 403 `rateLimitExceeded`); 429 and 5xx are retried anyway. */
  throttleReason?: string | undefined;
  /** The delta cursor is no longer valid (Graph 410 `syncStateNotFound`): a full listing is needed. */
  cursorExpired?: boolean | undefined;
}

export interface HttpClientOptions {
  sourceId: string;
  /** Names the API in messages: `Microsoft Graph`, `Okta API`, `Google Directory API`. */
  api: string;
  fetch: typeof fetch;
  auth: TokenProvider;
  describeError(status: number, body: unknown): UpstreamError;
  retry: RetryOptions;
  limiter: RateLimiter;
  /**
   * The wait after a throttle that names none (no `Retry-After`, no reset), for the whole source.
   * Default: the 5xx backoff of `retry.baseDelayMs`. Google documents its own (1 s, doubling).
   */
  throttleBackoff?: ((attempt: number, options: { maxMs: number; random: () => number }) => number) | undefined;
  random?: () => number;
  now?: () => number;
}

export interface RequestOptions {
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  onThrottle?: ((event: ThrottleEvent) => void) | undefined;
}

export interface JsonResponse {
  body: unknown;
  headers: Headers;
}

/** A failed attempt worth another one. */
interface RetryableFailure {
  reason: string;
  /** Server-directed wait (pauses the whole source); otherwise exponential backoff. */
  serverWaitMs: number | undefined;
  /** A 429 or an adapter's throttle reason: the budget is the source's, so the whole source waits. */
  throttle: boolean;
  detail: string;
  timeout: boolean;
}

/**
 * GETs JSON from a directory API, the one place where its failures become coded errors:
 * throttles and 5xx are retried (bounded, reported through `onThrottle`), a 401 refreshes the
 * token once, anything else is `connector_upstream` naming the source and quoting the API.
 * Messages carry the request path but never its query, headers or tokens.
 */
export class HttpClient {
  readonly #o: HttpClientOptions;
  readonly #now: () => number;

  constructor(options: HttpClientOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get sourceId(): string {
    return this.#o.sourceId;
  }

  async getJson(url: string, options: RequestOptions = {}): Promise<JsonResponse> {
    const { retry, limiter } = this.#o;
    const { signal, onThrottle } = options;
    const what = `${this.#o.api} GET ${safePath(url)}`;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      await limiter.ready({ attempt, signal, onThrottle });
      const outcome = await this.#attempt(url, options, refreshed, what);
      if ('body' in outcome) return outcome;
      if ('unauthorized' in outcome) {
        if (refreshed) {
          throw new ConnectorError('connector_auth', `${this.#label()}: ${what} refused the credentials (401): ${outcome.unauthorized}`, {
            sourceId: this.#o.sourceId,
          });
        }
        refreshed = true;
        attempt--; // a token refresh is not a retry
        continue;
      }
      const failure = outcome;
      const waitMs = failure.serverWaitMs ?? this.#backoff(attempt, failure.throttle);
      if (attempt >= retry.maxAttempts || waitMs > retry.maxWaitMs) {
        const why = attempt >= retry.maxAttempts ? `failed after ${attempt} attempts` : `asked to wait ${waitMs} ms (more than maxWaitMs)`;
        const message = `${this.#label()}: ${what} ${why}: ${failure.detail}`;
        if (failure.timeout) throw new ConnectorError('connector_timeout', message, { sourceId: this.#o.sourceId });
        throw new RetryableConnectorError(message, {
          sourceId: this.#o.sourceId,
          ...(failure.serverWaitMs === undefined ? {} : { retryAfterMs: failure.serverWaitMs }),
        });
      }
      if (failure.serverWaitMs !== undefined || failure.throttle) {
        limiter.pauseUntil(this.#now() + waitMs, failure.reason); // reported by ready() next turn
      } else {
        onThrottle?.({ waitMs, reason: failure.reason, attempt });
        await sleep(waitMs, signal);
      }
    }
  }

  #backoff(attempt: number, throttle: boolean): number {
    const options = { maxMs: this.#o.retry.maxWaitMs, random: this.#o.random ?? Math.random };
    if (throttle && this.#o.throttleBackoff) return this.#o.throttleBackoff(attempt, options);
    return backoffDelay(attempt, { baseMs: this.#o.retry.baseDelayMs, ...options });
  }

  async #attempt(
    url: string,
    options: RequestOptions,
    forceRefresh: boolean,
    what: string,
  ): Promise<JsonResponse | { unauthorized: string } | RetryableFailure> {
    const { signal } = options;
    let authorization: string;
    try {
      authorization = await this.#o.auth.authorization({ forceRefresh, signal });
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (error instanceof RetryableConnectorError) {
        return { reason: 'token endpoint', serverWaitMs: error.retryAfterMs, throttle: false, detail: error.message, timeout: false };
      }
      throw error;
    }
    const timeout = AbortSignal.timeout(this.#o.retry.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await this.#o.fetch(url, {
        headers: { accept: 'application/json', ...options.headers, authorization },
        signal: combined,
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (timeout.aborted) {
        return { reason: 'timeout', serverWaitMs: undefined, throttle: false, detail: `no answer within ${this.#o.retry.requestTimeoutMs} ms`, timeout: true };
      }
      const code = networkCode(error);
      return { reason: code, serverWaitMs: undefined, throttle: false, detail: `network error ${code}`, timeout: false };
    }
    // The budget headers of an answer that went through; a 429 is paused for below, as a 429.
    if (response.ok) this.#observeRateLimit(response.headers);
    const body = parseJson(text);
    if (response.ok) {
      if (body === undefined) {
        throw new ConnectorError('connector_upstream', `${this.#label()}: ${what} answered ${response.status} with a body that is not JSON`, {
          sourceId: this.#o.sourceId,
        });
      }
      return { body, headers: response.headers };
    }
    const status = response.status;
    // The API's own words go into messages that are logged and shown; an API (or a proxy in front
    // of it) that quotes the credential it was sent must not carry it there.
    const described = withoutCredential(this.#o.describeError(status, body ?? text), authorization);
    const detail = `${status} ${described.message}`.trim();
    if (status === 401) return { unauthorized: described.message };
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.#now());
    if (status === 429) {
      const reset = parseRateLimitReset(response.headers.get('x-rate-limit-reset'), response.headers.get('date'), this.#now());
      const serverWaitMs = retryAfter ?? reset;
      const named = described.throttleReason !== undefined ? `429 ${described.throttleReason}` : '429';
      const reason = retryAfter !== undefined ? '429 Retry-After' : reset !== undefined ? '429 X-Rate-Limit-Reset' : named;
      return { reason, serverWaitMs, throttle: true, detail, timeout: false };
    }
    if (described.cursorExpired) {
      throw new ConnectorError('connector_cursor_expired', `${this.#label()}: ${what} answered ${detail}: the delta cursor has expired`, {
        sourceId: this.#o.sourceId,
      });
    }
    if (described.throttleReason !== undefined) {
      return { reason: `${status} ${described.throttleReason}`, serverWaitMs: retryAfter, throttle: true, detail, timeout: false };
    }
    if (status >= 500) {
      return { reason: retryAfter !== undefined ? `${status} Retry-After` : String(status), serverWaitMs: retryAfter, throttle: false, detail, timeout: false };
    }
    throw new ConnectorError('connector_upstream', `${this.#label()}: ${what} answered ${detail}`, { sourceId: this.#o.sourceId, httpStatus: status });
  }

  /** Okta announces its budget on every answer; at zero, hold the source until the window resets. */
  #observeRateLimit(headers: Headers): void {
    if (headers.get('x-rate-limit-remaining')?.trim() !== '0') return;
    const waitMs = parseRateLimitReset(headers.get('x-rate-limit-reset'), headers.get('date'), this.#now());
    if (waitMs !== undefined && waitMs > 0) this.#o.limiter.pauseUntil(this.#now() + waitMs, 'X-Rate-Limit-Remaining=0');
  }

  #label(): string {
    return `source "${this.#o.sourceId}"`;
  }
}

/** `error` with every copy of `authorization` (the header value, and the credential after its scheme) blanked. */
export function withoutCredential(error: UpstreamError, authorization: string): UpstreamError {
  const message = withoutSecrets(error.message, [authorization, authorization.replace(/^\S+\s+/, '')]);
  return message === error.message ? error : { ...error, message };
}

/** The path of a URL, without its query (which may hold delta or page tokens). */
function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(invalid URL)';
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `ECONNRESET`, `ECONNREFUSED`, … from undici's `TypeError: fetch failed` chain. */
function networkCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = current.cause;
  }
  return error instanceof Error ? error.name : 'network error';
}
