/** A tiny SCIM/admin HTTP client for the SCIM end-to-end tests. */
import { waitFor } from '../helpers/process.js';
import { ADMIN_TOKEN } from './scim-daemon.js';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ScimResponse {
  status: number;
  headers: Headers;
  body: Json;
}

export function scimClient(scimUrl: string, token: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimResponse> => {
    const res = await fetch(`${scimUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? {} : (JSON.parse(text) as Json) };
  };
  return {
    call,
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body: unknown) => call('POST', path, body),
    put: (path: string, body: unknown, headers?: Record<string, string>) => call('PUT', path, body, headers),
    patch: (path: string, body: unknown, headers?: Record<string, string>) => call('PATCH', path, body, headers),
    delete: (path: string, headers?: Record<string, string>) => call('DELETE', path, undefined, headers),
  };
}

export interface Member {
  email: string;
  role: string;
  status: string;
}

/** A workspace's members through the admin API (`GET /api/v1/workspaces/{id}/members`). */
export async function membersOf(daemonUrl: string, workspace: string): Promise<Member[]> {
  const res = await fetch(`${daemonUrl}/api/v1/workspaces/${workspace}/members?limit=1000`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (res.status !== 200) throw new Error(`members: ${res.status}`);
  const body = (await res.json()) as { members: Member[] };
  return body.members.map((m) => ({ email: m.email, role: m.role, status: m.status })).sort((a, b) => a.email.localeCompare(b.email));
}

/** Waits until the workspace's members are `expected` (reconciliation runs on the queue). */
export async function expectMembers(daemonUrl: string, workspace: string, expected: Member[]): Promise<void> {
  const want = JSON.stringify([...expected].sort((a, b) => a.email.localeCompare(b.email)));
  let last = '';
  try {
    await waitFor(async () => {
      last = JSON.stringify(await membersOf(daemonUrl, workspace));
      return last === want ? true : undefined;
    }, 20_000, 'members');
  } catch {
    throw new Error(`workspace ${workspace}: expected members ${want}, have ${last}`);
  }
}
