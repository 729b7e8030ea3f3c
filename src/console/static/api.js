/** Calls idsync's own API with the session cookie; state-changing calls carry the CSRF token. */
let csrfToken = null;
let onSessionEnded = () => {};

export function useSession(token, ended) {
  csrfToken = token;
  onSessionEnded = ended;
}

export class ApiFailure extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/**
 * `body` is sent as JSON unless it is a string (sent with `contentType`). Returns the parsed JSON,
 * null for 204, or the Response itself with `raw`.
 */
export async function api(method, path, { body, contentType, accept = 'application/json', raw = false } = {}) {
  const headers = { accept };
  let payload;
  if (typeof body === 'string') {
    payload = body;
    headers['content-type'] = contentType ?? 'text/plain';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiFailure(0, 'network', 'idsync did not answer: check your connection and try again');
  }
  if (res.status === 401 && path.startsWith('/api/v1')) {
    onSessionEnded();
    throw new ApiFailure(401, 'session_ended', 'your session has ended: sign in again');
  }
  if (!res.ok) {
    let error = { code: 'http_' + res.status, message: `the request failed (${res.status})` };
    try {
      const parsed = await res.json();
      if (parsed && parsed.error) error = parsed.error;
    } catch {}
    throw new ApiFailure(res.status, error.code, error.message, error.lines);
  }
  if (raw) return res;
  if (res.status === 204) return null;
  return res.json();
}

/** A path with its query: values undefined or '' are left out. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export const enc = encodeURIComponent;
