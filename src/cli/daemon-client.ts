import { IdsyncError } from '../errors.js';

/** How CLI verbs that act on state reach the running daemon's admin API (design §5). */
export interface DaemonClientOptions {
  url: string;
  token: string | undefined;
}

export class DaemonRequestError extends IdsyncError<'daemon_request_failed'> {
  /** The status the daemon answered with (0 when it was not asked or not reached): what the CLI received. */
  readonly status: number;
  /** The daemon's answer, parsed when it was JSON (an error's details, e.g. a config's problems). */
  readonly body: unknown;
  constructor(status: number, message: string, body?: unknown) {
    super('daemon_request_failed', message);
    this.status = status;
    this.body = body;
  }
}

export async function daemonRequest<T>(options: DaemonClientOptions, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  if (!options.token) throw new DaemonRequestError(0, 'IDSYNC_ADMIN_TOKEN is not set: the CLI needs it to talk to the daemon');
  let response: Response;
  try {
    response = await fetch(new URL(`/api/v1${path}`, options.url), {
      method,
      headers: { authorization: `Bearer ${options.token}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  } catch (error) {
    throw new DaemonRequestError(0, `cannot reach the idsync daemon at IDSYNC_URL=${options.url} (${(error as Error).message}); is it running?`);
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? text;
    throw new DaemonRequestError(response.status, `${method} ${path} → ${response.status}: ${message}`, parsed);
  }
  return parsed as T;
}
