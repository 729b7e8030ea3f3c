import { expect } from 'vitest';
import type { ConnectorPage } from '../../src/connector/connector.js';
import { ConnectorError } from '../../src/connector/errors.js';

/** Every page of a listing. */
export async function collect(pages: AsyncIterable<ConnectorPage>): Promise<ConnectorPage[]> {
  const out: ConnectorPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

/** The `ConnectorError` a listing ends with (the pages before it go to `seen`); fails if it ends without one. */
export async function failure(pages: AsyncIterable<ConnectorPage>, seen: ConnectorPage[] = []): Promise<ConnectorError> {
  try {
    for await (const page of pages) seen.push(page);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  }
  throw new Error('the listing did not fail');
}
