import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

/**
 * An MSAL network client that sends what MSAL addresses to `from` (the real authority host) to
 * `to` (a local fake) instead — the way to test MSAL without an https fake or a test CA.
 */
export function redirectingNetworkClient(from: string, to: string): INetworkModule {
  const rewrite = (url: string) => (url.startsWith(from) ? to + url.slice(from.length) : url);
  const send = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const response = await fetch(rewrite(url), { method, headers: options?.headers, body: method === 'POST' ? options?.body : undefined });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const text = await response.text();
    return { status: response.status, headers, body: (text === '' ? {} : JSON.parse(text)) as T };
  };
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('GET', url, options),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('POST', url, options),
  };
}
