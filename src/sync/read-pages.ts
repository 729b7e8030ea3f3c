import type { Connector, ConnectorPage, ListOptions } from '../connector/connector.js';
import { prefetch } from './prefetch.js';
import type { RunReport } from './run-report.js';
import type { RunMode } from '../store/runs/sync-runs.js';

/** What a run reads: the connector's full listing, or its delta from a cursor. */
export interface Listing {
  mode: RunMode;
  open(options: ListOptions): AsyncIterable<ConnectorPage>;
}

/** A delta when one was asked for, the connector offers deltas and a cursor was saved; else the full listing. */
export function listingOf(connector: Connector, requested: RunMode, cursor: string | undefined): Listing {
  if (requested === 'delta' && connector.delta && cursor) {
    const delta = connector.delta.bind(connector);
    return { mode: 'delta', open: (options) => delta({ ...options, cursor }) };
  }
  return { mode: 'full', open: (options) => connector.full(options) };
}

/**
 * The listing's pages, one read ahead while the caller works on the current one. Throttling waits,
 * skipped entries and notices are reported as they come; a stopped run ends at the next page.
 */
export async function* readPages(listing: Listing, report: RunReport, signal: AbortSignal | undefined): AsyncGenerator<ConnectorPage> {
  const pages = listing.open({ signal, onThrottle: (e) => report.throttled(e) });
  for await (const page of prefetch(pages)) {
    signal?.throwIfAborted();
    for (const s of page.skipped ?? []) report.skip(s);
    for (const n of page.notices ?? []) report.notice(n);
    yield page;
  }
}
